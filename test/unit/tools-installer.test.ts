/**
 * The tool installer's pure parts and data: checksum files, which digest wins, mirror URLs, tar
 * extraction, the pins in profiles/ (and that they match package.json), the plugin and kubectl
 * checks, and `--fix` copying from a built toolchain or failing without network.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { loadCatalog } from "../../profiles/load.js";
import { installVersions, loadToolDigests, toolDigestsFile, toolVersions } from "../../profiles/tools.js";
import { kubectlCheck, pulumiKubernetesCheck } from "../../stacks/preflight/checks/tools.js";
import { applyFixes } from "../../stacks/preflight/fix.js";
import { realProbes } from "../../stacks/preflight/probes.js";
import type { DoctorReport } from "../../stacks/preflight/types.js";
import { PULUMI_CLI_VERSION, PULUMI_KUBERNETES_VERSION } from "../../stacks/preflight/versions.js";
import { TOOLS, currentPlatform, mirrorVariable, toolUrls } from "../../stacks/tools/catalog.js";
import { digestFromChecksumFile, expectedDigest } from "../../stacks/tools/checksums.js";
import { extractTarGz } from "../../stacks/tools/tar.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const linux = { os: "linux", arch: "amd64" } as const;

describe("tool installer", () => {
  describe("checksum files", () => {
    it("reads sha256sum listings (text and binary mode) and bare digests", () => {
      const listing = `${A}  pulumi-v3.276.0-darwin-arm64.tar.gz\n${B} *pulumi-v3.276.0-linux-x64.tar.gz\n`;
      assert.equal(digestFromChecksumFile(listing, "pulumi-v3.276.0-linux-x64.tar.gz"), B);
      assert.equal(digestFromChecksumFile(listing, "pulumi-v3.276.0-linux-arm64.tar.gz"), undefined);
      assert.equal(digestFromChecksumFile(`${A.toUpperCase()}\n`, "kubectl"), A);
      assert.equal(digestFromChecksumFile("<html>not found</html>", "kubectl"), undefined);
    });

    it("a pinned digest wins, must agree with the publisher's, and one of them must exist", () => {
      const pinned = { sha256: A, source: "somewhere public" };
      assert.deepEqual(expectedDigest({ pinned, publisher: { sha256: A, url: "u" } }), {
        sha256: A,
        checkedAgainst: ["pinned digest", "publisher checksums u"],
      });
      const clash = expectedDigest({ pinned, publisher: { sha256: B, url: "u" } });
      assert.ok("error" in clash && clash.error.includes(A) && clash.error.includes(B), JSON.stringify(clash));
      const digestOf = (x: ReturnType<typeof expectedDigest>): string | undefined =>
        "sha256" in x ? x.sha256 : undefined;
      assert.equal(digestOf(expectedDigest({ pinned, publisherProblem: "404" })), A);
      assert.equal(digestOf(expectedDigest({ publisher: { sha256: B, url: "u" } })), B);
      const none = expectedDigest({ publisherProblem: "u answered HTTP 404" });
      assert.ok("error" in none && /u answered HTTP 404, and none is pinned/.test(none.error));
    });
  });

  describe("URLs and mirrors", () => {
    it("uses the official release directories by default", () => {
      assert.deepEqual(toolUrls(TOOLS.pulumi, "3.276.0", linux, {}), {
        asset: "pulumi-v3.276.0-linux-x64.tar.gz",
        url: "https://github.com/pulumi/pulumi/releases/download/v3.276.0/pulumi-v3.276.0-linux-x64.tar.gz",
        checksumUrl: "https://github.com/pulumi/pulumi/releases/download/v3.276.0/pulumi-3.276.0-checksums.txt",
        mirrored: false,
      });
      assert.equal(
        toolUrls(TOOLS.kubectl, "1.36.1", { os: "darwin", arch: "arm64" }, {}).checksumUrl,
        "https://dl.k8s.io/release/v1.36.1/bin/darwin/arm64/kubectl.sha256",
      );
    });

    it("CTO_TOOLS_MIRROR moves every tool, a per-tool setting (with placeholders) wins", () => {
      const env = {
        CTO_TOOLS_MIRROR: "https://mirror.example/tools/",
        [mirrorVariable("kubectl")]: "https://k8s.example/v{version}/{os}/{arch}",
      };
      assert.equal(mirrorVariable("pulumi-kubernetes"), "CTO_TOOLS_MIRROR_PULUMI_KUBERNETES");
      assert.equal(
        toolUrls(TOOLS.kind, "0.32.0", linux, env).url,
        "https://mirror.example/tools/kind/0.32.0/linux-amd64/kind-linux-amd64",
      );
      const k = toolUrls(TOOLS.kubectl, "1.36.1", linux, env);
      assert.deepEqual(
        [k.url, k.checksumUrl, k.mirrored],
        [
          "https://k8s.example/v1.36.1/linux/amd64/kubectl",
          "https://k8s.example/v1.36.1/linux/amd64/kubectl.sha256",
          true,
        ],
      );
    });

    it("knows Linux and macOS on amd64 and arm64 only", () => {
      assert.deepEqual(currentPlatform("linux", "x64"), linux);
      assert.deepEqual(currentPlatform("darwin", "arm64"), { os: "darwin", arch: "arm64" });
      assert.equal(currentPlatform("win32", "x64"), undefined);
      assert.equal(currentPlatform("linux", "s390x"), undefined);
    });
  });

  describe("tar.gz extraction", () => {
    let tmp: string;
    beforeEach(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), "cto-tar-"));
    });
    afterEach(async () => rm(tmp, { recursive: true, force: true }));

    it("writes only the picked regular files, 0755, under plain names; long names and big files work", async () => {
      const src = path.join(tmp, "src");
      const long = `pulumi-${"x".repeat(120)}`;
      await mkdir(path.join(src, "pulumi"), { recursive: true });
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      await writeFile(path.join(src, "pulumi", "pulumi"), big);
      await writeFile(path.join(src, "pulumi", long), "long\n");
      await writeFile(path.join(src, "pulumi", "LICENSE"), "text\n");
      const archive = path.join(tmp, "a.tar.gz");
      await tar.create({ file: archive, gzip: true, cwd: src }, ["pulumi"]);
      const out = path.join(tmp, "out");
      await mkdir(out);
      const written = await extractTarGz(
        archive,
        out,
        TOOLS.pulumi.format.type === "tar.gz" ? TOOLS.pulumi.format.pick : () => undefined,
      );
      assert.deepEqual(written.sort(), [long, "pulumi"].sort());
      assert.deepEqual((await readdir(out)).sort(), [long, "pulumi"].sort());
      assert.ok((await readFile(path.join(out, "pulumi"))).equals(big));
      assert.equal((await stat(path.join(out, "pulumi"))).mode & 0o777, 0o755);
    });

    it("refuses to write outside the directory whatever the archive says", async () => {
      const src = path.join(tmp, "src");
      await mkdir(path.join(src, "d"), { recursive: true });
      await writeFile(path.join(src, "d", "evil"), "x");
      const archive = path.join(tmp, "a.tar.gz");
      await tar.create({ file: archive, gzip: true, cwd: src }, ["d"]);
      const out = path.join(tmp, "out");
      await mkdir(out);
      const written = await extractTarGz(archive, out, () => "../escaped");
      assert.deepEqual(written, []);
      await assert.rejects(stat(path.join(tmp, "escaped")));
    });

    it("a truncated archive is an error, not a short file", async () => {
      const src = path.join(tmp, "src");
      await mkdir(src);
      await writeFile(path.join(src, "pulumi-resource-kubernetes"), Buffer.alloc(200_000, 1));
      const archive = path.join(tmp, "a.tar.gz");
      await tar.create({ file: archive, gzip: true, cwd: src }, ["pulumi-resource-kubernetes"]);
      const whole = await readFile(archive);
      await writeFile(archive, whole.subarray(0, Math.floor(whole.length / 2)));
      await assert.rejects(extractTarGz(archive, tmp, (e) => e));
    });
  });

  describe("pins", () => {
    it("every release resolves tool versions; Pulumi and its kubernetes plugin match package.json", async () => {
      const catalog = await loadCatalog();
      const pkg = JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as {
        dependencies: Record<string, string>;
      };
      for (const release of Object.keys(catalog.releases)) {
        const v = toolVersions(catalog, release);
        assert.equal(v.pulumi, PULUMI_CLI_VERSION, release);
        assert.equal(v.pulumi, pkg.dependencies["@pulumi/pulumi"], release);
        assert.equal(v["pulumi-kubernetes"], pkg.dependencies["@pulumi/kubernetes"], release);
        assert.equal(v["pulumi-kubernetes"], PULUMI_KUBERNETES_VERSION, release);
      }
    });

    it("the bundled digests file is valid, says where each digest came from, and only pins pinned versions", async () => {
      const catalog = await loadCatalog();
      const pins = await loadToolDigests(toolDigestsFile(catalog.dir, {}));
      const versions = toolVersions(catalog, catalog.latestRelease) as Record<string, string>;
      // scripts/toolchain.sh's own downloads are pinned at toolchain/versions.env's versions.
      const toolchainPins = await readFile(path.join(catalog.dir, "..", "toolchain", "versions.env"), "utf8");
      const kwok = /^KWOK_VERSION=(\S+)$/m.exec(toolchainPins)?.[1];
      Object.assign(versions, { kwok, kwokctl: kwok });
      assert.ok(Object.keys(pins).length > 0);
      for (const [tool, byVersion] of Object.entries(pins)) {
        assert.ok(tool in TOOLS || tool === "kwok" || tool === "kwokctl", tool);
        for (const [version, byPlatform] of Object.entries(byVersion)) {
          assert.equal(version, versions[tool], `${tool} ${version} is pinned by no release`);
          for (const d of Object.values(byPlatform)) assert.ok(d.source.length > 20, `${tool} ${version} source`);
        }
      }
    });

    it("a broken digests file names the file and the path", async () => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), "cto-pins-"));
      const file = path.join(tmp, "d.yaml");
      await writeFile(
        file,
        "pins:\n  kubectl:\n    '1.36.1':\n      linux-amd64: { sha256: nothex, source: somewhere else }\n",
      );
      await assert.rejects(loadToolDigests(file), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`${file.replace(/\./g, "\\.")}.*kubectl\\.1\\.36\\.1\\.linux-amd64\\.sha256`, "s"),
        );
        return true;
      });
      await rm(tmp, { recursive: true, force: true });
    });
  });

  describe("checks", () => {
    const plan = makePlan();
    it("the kubernetes plugin: found in ~/.cto/bin or PULUMI_HOME, else --fix", async () => {
      const inBin = await runCheck(
        pulumiKubernetesCheck,
        plan,
        fakeProbes({ which: async (name, dirs) => (dirs?.[0] ? path.join(dirs[0], name) : undefined) }),
      );
      assert.deepEqual(
        [inBin.status, inBin.reason],
        ["ok", "pulumi-resource-kubernetes at /home/u/.cto/bin/pulumi-resource-kubernetes"],
      );
      const installed = await runCheck(
        pulumiKubernetesCheck,
        plan,
        fakeProbes({
          exists: async (f) => f === "/home/u/.pulumi/plugins/resource-kubernetes-v4.32.0/pulumi-resource-kubernetes",
        }),
      );
      assert.equal(installed.status, "ok");
      const none = await runCheck(pulumiKubernetesCheck, plan, fakeProbes());
      assert.equal(none.status, "fail");
      assert.match(none.fix ?? "", /cto doctor --fix {3}\(downloads plugin 4\.32\.0 into \/home\/u\/\.cto\/bin\)/);
    });

    it("kubectl: the one in ~/.cto/bin is the one checked and named", async () => {
      const ran: string[] = [];
      const r = await runCheck(
        kubectlCheck,
        plan,
        fakeProbes({
          which: async (name, dirs) => (dirs?.[0] === "/home/u/.cto/bin" ? `/home/u/.cto/bin/${name}` : undefined),
          run: async (cmd) => {
            ran.push(cmd);
            return {
              found: true,
              code: 0,
              stdout: '{"clientVersion":{"gitVersion":"v1.36.1"}}',
              stderr: "",
              timedOut: false,
            };
          },
        }),
      );
      assert.deepEqual(ran, ["/home/u/.cto/bin/kubectl"]);
      assert.equal(r.reason, "kubectl 1.36.1 at /home/u/.cto/bin/kubectl");
    });
  });

  describe("--fix", () => {
    let tmp: string;
    beforeEach(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), "cto-fix-"));
    });
    afterEach(async () => rm(tmp, { recursive: true, force: true }));

    const report = (...ids: string[]): DoctorReport => ({
      schemaVersion: 1,
      ok: false,
      environment: "dev",
      profile: "minimal",
      provider: "kind",
      summary: { ok: 0, failed: ids.length, warnings: 0, skipped: 0, criticalFailures: ids.length },
      checks: ids.map((id) => ({
        id,
        name: id,
        status: "fail" as const,
        critical: true,
        reason: `${id} broken`,
        fix: `fix ${id}`,
      })),
    });

    it("copies the pinned CLI and plugins from a built toolchain, with a receipt saying so", async () => {
      const bin = path.join(tmp, "cache", "abc", "bin");
      await mkdir(bin, { recursive: true });
      await writeFile(path.join(bin, "pulumi"), "#!/bin/sh\necho v3.276.0\n", { mode: 0o755 });
      await writeFile(path.join(bin, "pulumi-resource-kubernetes"), "#!/bin/sh\n", { mode: 0o755 });
      await writeFile(path.join(tmp, "cache", "current"), `${bin}\n`);
      const probes = realProbes({
        home: tmp,
        env: { PATH: "/usr/bin:/bin", CTO_TOOLCHAIN_CACHE: path.join(tmp, "cache") },
      });
      const actions = await applyFixes(report("tool.pulumi", "tool.pulumi-kubernetes"), { probes });
      assert.deepEqual(
        actions.map((a) => a.outcome),
        ["installed", "installed"],
        JSON.stringify(actions),
      );
      const receipts = JSON.parse(await readFile(path.join(tmp, ".cto", "tools.json"), "utf8"));
      assert.equal(receipts.pulumi.url, `file://${bin}/pulumi`);
      assert.equal(receipts.pulumi.sha256, createHash("sha256").update("#!/bin/sh\necho v3.276.0\n").digest("hex"));
      assert.match(receipts.pulumi.checkedAgainst[0], /built from Go modules/);
    });

    it("without network every tool fails with the mirror setting and nothing is installed", async () => {
      const probes = realProbes({ home: tmp, env: { PATH: "/usr/bin:/bin", CTO_TOOLS_MIRROR: "http://127.0.0.1:9" } });
      const catalog = await loadCatalog();
      const tools = {
        versions: installVersions(catalog, catalog.latestRelease),
        digests: {},
        digestsFile: "none",
      };
      const actions = await applyFixes(report("tool.pulumi", "tool.kubectl", "tool.docker"), { probes, tools });
      const byId = Object.fromEntries(actions.map((a) => [a.id, a]));
      assert.equal(byId["tool.docker"]?.outcome, "manual");
      for (const id of ["tool.pulumi", "tool.kubectl"]) {
        assert.equal(byId[id]?.outcome, "failed");
        assert.match(byId[id]?.message ?? "", /^no network: cannot reach http:\/\/127\.0\.0\.1:9\//);
        assert.match(byId[id]?.instruction ?? "", /CTO_TOOLS_MIRROR=<url>/);
      }
      await assert.rejects(stat(path.join(tmp, ".cto", "bin", "pulumi")));
    });
  });
});
