/**
 * Command-line entry of the chart mirror, for the offline demo (scripts/demo.sh) and for trying
 * the air-gapped mirror feature by hand:
 *
 *   node dist/test/helpers/chart-mirror-main.js [--dir DIR] [--port N] [--url-file FILE]
 *
 * Builds the stand-in charts (every version profiles/versions.yaml pins, plus the next patch)
 * into DIR (default: a temporary directory), serves them as a Helm repository on 127.0.0.1,
 * prints the URL (and writes it to FILE) and runs until SIGINT/SIGTERM. Point cto at it with
 * `charts.default.repository` in cto.yaml.
 *
 * The stand-in charts are for the offline demo and tests only; real installs use the official charts.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startChartMirror } from "./chart-mirror.js";
import { buildChartRepo, defaultChartVersions } from "./chart-repo.js";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    port: { type: "string", default: "0" },
    "url-file": { type: "string" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: --port must be a port number, not ${values.port}`);
  process.exit(2);
}
const temporary = !values.dir;
const dir = values.dir ? path.resolve(values.dir) : await mkdtemp(path.join(os.tmpdir(), "cto-chart-mirror-"));
const built = await buildChartRepo(dir, await defaultChartVersions());
const mirror = await startChartMirror(dir, { port });
if (values["url-file"]) await writeFile(values["url-file"], mirror.url + "\n");
console.log(`chart mirror: ${built.length} stand-in chart versions from ${dir} at ${mirror.url}`);

const stop = async () => {
  await mirror.close();
  if (temporary) await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
