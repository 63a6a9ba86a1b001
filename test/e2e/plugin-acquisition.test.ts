/**
 * The engine never fetches a plugin on cto's behalf (issue 17): on the REAL Pulumi CLI, a program
 * needing a resource plugin that is nowhere on the machine (random) fails with cto's own error
 * naming the plugin and what to do, and no download is even attempted. The test's environment
 * does NOT turn acquisition off itself (cto's engine environment does), and every HTTP(S) request
 * the engine would make goes to a recording proxy on 127.0.0.1, which sees none.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import * as random from "@pulumi/random";
import { LifecycleError, preview } from "../../stacks/lifecycle/index.js";
import { uniqueLocalPlan } from "./fixtures/local-plan.js";
import { toolchainBin } from "../helpers/toolchain-bin.js";

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];

describe("automatic plugin acquisition is off (real engine)", function () {
  this.timeout(300_000);
  let tmp: string;
  let proxy: http.Server;
  const seen: string[] = [];
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    const bin = toolchainBin();
    tmp = mkdtempSync(path.join(os.tmpdir(), "cto-plugin-acq-"));
    proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    proxy.on("connect", (req, socket) => {
      seen.push(`CONNECT ${req.url}`);
      socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // The engine is a child of this process and inherits its environment (plus cto's engine variables).
    for (const k of [...PROXY_VARS, "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "CTO_PULUMI_BIN_DIR"])
      saved[k] = process.env[k];
    for (const k of PROXY_VARS) delete process.env[k];
    delete process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION;
    Object.assign(process.env, { HTTPS_PROXY: url, HTTP_PROXY: url, CTO_PULUMI_BIN_DIR: bin });
  });

  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it("a missing plugin is cto's clear error, not a fetch", async () => {
    const plan = uniqueLocalPlan("pa", []);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CTO_HOME: path.join(tmp, "home"),
      PULUMI_HOME: path.join(tmp, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    const err = await preview(
      plan,
      {},
      {
        env,
        programFor: () => async () => {
          new random.RandomString("needs-a-plugin", { length: 8 });
        },
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof LifecycleError, `expected cto's LifecycleError, got ${String(err)}`);
    assert.equal(err.explanation?.kind, "plugin-missing", err.message);
    assert.match(
      err.explanation?.message ?? "",
      /plugin "random" \S+ is not installed \(cto does not let the engine download plugins\)/,
    );
    assert.match(err.explanation?.fix ?? "", /put pulumi-resource-random/);
    assert.deepEqual(seen, [], "the engine tried to download something");
  });
});
