/**
 * scripts/toolchain.sh tries the pinned, checksummed release files before a Go build: served here
 * by the local tool server (CTO_TOOLS_MIRROR), with `go` kept off PATH so that a build attempt
 * shows up as a failure instead of minutes of compiling. Each run gets its own cache and HOME, so
 * the real toolchain cache and its `current` pointer are never touched.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startToolServer, type ToolServer } from "../helpers/tool-server.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "toolchain.sh");

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [SCRIPT, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("scripts/toolchain.sh downloads before it builds", function () {
  this.timeout(120_000);
  let server: ToolServer;
  let root: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    server = await startToolServer();
    root = mkdtempSync(join(tmpdir(), "cto-toolchain-dl-"));
    // A PATH with the basic tools but no Go: a fallback to the Go build fails at once.
    const path = join(root, "path");
    mkdirSync(path);
    for (const tool of [
      "bash",
      "grep",
      "tr",
      "env",
      "curl",
      "sha256sum",
      "tar",
      "gzip",
      "awk",
      "sed",
      "flock",
      "mktemp",
      "date",
      "cut",
      "head",
      "uname",
      "cp",
      "cmp",
      "mv",
      "rm",
      "mkdir",
      "chmod",
      "basename",
      "dirname",
      "cat",
      "gunzip",
    ]) {
      for (const dir of ["/usr/bin", "/bin"]) {
        if (existsSync(join(dir, tool))) {
          symlinkSync(join(dir, tool), join(path, tool));
          break;
        }
      }
    }
    mkdirSync(join(root, "home"));
    env = {
      PATH: path,
      HOME: join(root, "home"),
      CTO_TOOLCHAIN_CACHE: join(root, "cache"),
      ...server.env(),
    };
  });
  afterEach(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("takes the download path when the release files can be had, and says so", async () => {
    const r = await run(["pulumi", "language-nodejs"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /\[toolchain\] pulumi: downloaded http:\/\/127\.0\.0\.1:\d+\/pulumi\/3\.276\.0\/.* \(sha256 [0-9a-f]{64}, checked against the pinned digest and the publisher's pulumi-3\.276\.0-checksums\.txt\)/,
    );
    assert.match(
      r.stderr,
      /paths taken: 2 downloaded \(pinned release files, SHA-256 checked\), 0 built from Go modules/,
    );
    const bin = r.stdout.trim().split("\n").pop() as string;
    assert.ok(bin.startsWith(join(root, "cache")), bin);
    assert.deepEqual(
      readdirSync(bin)
        .filter((f) => f.startsWith("pulumi"))
        .sort()
        .slice(0, 2),
      ["pulumi", "pulumi-language-nodejs"],
    );
    const marker = readFileSync(join(dirname(bin), "state", "pulumi.complete"), "utf8");
    assert.match(marker, /^downloaded http:\/\/127\.0\.0\.1:\d+\/pulumi\/.* sha256 [0-9a-f]{64} /);
    assert.equal(server.downloads().length, 1, "one archive for both binaries");

    const again = await run(["pulumi", "language-nodejs"], env);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /pulumi cached/);
    assert.equal(server.downloads().length, 1, "nothing downloaded again");
  });

  it("kwok/kwokctl (no checksum file published) are downloaded only against a pinned digest, and refused on a mismatch", async () => {
    // kwok's release holds bare binaries and no checksum file: a stand-in release directory.
    const body = (name: string): string => `#!/bin/sh\necho ${name} v0.8.0\n`;
    const bodies: Record<string, string> = {
      "/kwok-linux-amd64": body("kwok"),
      "/kwokctl-linux-amd64": body("kwokctl"),
    };
    const release = http.createServer((req, res) => {
      const b = bodies[req.url ?? ""];
      if (b === undefined) res.writeHead(404).end();
      else res.writeHead(200).end(b);
    });
    await new Promise<void>((resolve) => release.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(release.address() as AddressInfo).port}`;
      const sha = (t: string): string => createHash("sha256").update(t).digest("hex");
      const pin = (tool: string, digest: string): string =>
        `  ${tool}:\n    "0.8.0":\n      linux-amd64:\n        sha256: ${digest}\n        source: generated by the test for this run\n`;
      const digests = join(root, "digests.yaml");
      const kwokEnv = {
        ...env,
        CTO_TOOLS_MIRROR_KWOK: base,
        CTO_TOOLS_MIRROR_KWOKCTL: base,
        CTO_TOOL_DIGESTS: digests,
      };
      if (process.platform !== "linux" || process.arch !== "x64") return; // the stand-in serves linux-amd64 only
      writeFileSync(
        digests,
        `pins:\n${pin("kwok", sha(bodies["/kwok-linux-amd64"] as string))}${pin("kwokctl", "0".repeat(64))}`,
      );
      const r = await run(["kwok"], kwokEnv);
      assert.match(
        r.stderr,
        /kwok: downloaded http:\/\/127\.0\.0\.1:\d+\/kwok-linux-amd64 \(sha256 [0-9a-f]{64}, checked against the pinned digest \(no publisher checksum\)\)/,
      );
      assert.match(
        r.stderr,
        /kwokctl: SHA-256 mismatch for \S+kwokctl-linux-amd64: expected 0{64}, got [0-9a-f]{64}: not installed, building from Go modules/,
      );
      assert.equal(r.code, 1, "kwokctl falls back to the Go build, and go is not on PATH");
    } finally {
      await new Promise<void>((resolve) => release.close(() => resolve()));
    }
  });

  it("falls back to the Go build when the download is refused, unreachable or has no checksum", async () => {
    const pulumiFile = [...server.files.values()].find((f) => f.tool === "pulumi") as { name: string };
    server.faults.set(pulumiFile.name, { tamper: true });
    const tampered = await run(["pulumi"], env);
    assert.equal(tampered.code, 1);
    assert.match(
      tampered.stderr,
      /pulumi: SHA-256 mismatch for \S+: expected [0-9a-f]{64}, got [0-9a-f]{64}: not installed, building from Go modules/,
    );
    assert.match(tampered.stderr, /error: go is not on PATH/);
    assert.ok(
      !existsSync(join(root, "cache")) ||
        !readdirSync(join(root, "cache"), { recursive: true }).some((f) => String(f).endsWith("bin/pulumi")),
    );

    const offline = await run(["pulumi"], { ...env, CTO_TOOLS_MIRROR: "http://127.0.0.1:9" });
    assert.equal(offline.code, 1);
    assert.match(
      offline.stderr,
      /no network \(http:\/\/127\.0\.0\.1:9\/pulumi\/3\.276\.0\/[a-z]+-[a-z0-9]+ unreachable\): building from Go modules \(set CTO_TOOLS_MIRROR for a mirror\)/,
    );

    // kwok publishes no checksum file; without a pinned digest it is never downloaded.
    const kwok = await run(["kwok"], env);
    assert.equal(kwok.code, 1);
    assert.match(
      kwok.stderr,
      /kwok: no checksum for \S+ \(no checksum file published and none pinned\): building from Go modules/,
    );
  });
});
