/**
 * A Helm chart repository served over HTTP on 127.0.0.1 (random port): the air-gapped mirror
 * feature, used by the e2e tests and the offline demo. Config points `charts.<component>.repository`
 * at `mirror.url`.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface ChartMirror {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** Directory served (holds index.yaml and the .tgz files). */
  dir: string;
  /** Every request path, in order, with its status: lets tests see what was fetched. */
  requests: { path: string; status: number }[];
  close(): Promise<void>;
}

/** Serves `dir` (flat: index.yaml + *.tgz) until `close()`. `port` 0 picks a free one. */
export async function startChartMirror(dir: string, opts: { port?: number; host?: string } = {}): Promise<ChartMirror> {
  const host = opts.host ?? "127.0.0.1";
  const requests: ChartMirror["requests"] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").split("?")[0]!.replace(/^\/+/, ""));
    const reply = (status: number, body: string) => {
      requests.push({ path: "/" + name, status });
      res.writeHead(status, { "content-type": "text/plain" }).end(body);
    };
    // Flat directory only: no subpaths, no dot files, no traversal.
    if (req.method !== "GET" && req.method !== "HEAD") return reply(405, "method not allowed\n");
    if (name === "" || name.includes("/") || name.startsWith(".")) return reply(404, "not found\n");
    const file = path.join(dir, name);
    stat(file).then(
      (st) => {
        if (!st.isFile()) return reply(404, "not found\n");
        requests.push({ path: "/" + name, status: 200 });
        const type = name.endsWith(".yaml") ? "application/x-yaml" : "application/gzip";
        res.writeHead(200, { "content-type": type, "content-length": st.size });
        if (req.method === "HEAD") return res.end();
        createReadStream(file).pipe(res);
      },
      () => reply(404, `not found: ${name}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    dir,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
