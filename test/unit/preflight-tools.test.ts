import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import {
  dockerCheck,
  kindCheck,
  kubectlCheck,
  minikubeCheck,
  nodeCheck,
  pulumiCheck,
} from "../../stacks/preflight/checks/tools.js";
import { compareVersions, MIN_NODE_VERSION } from "../../stacks/preflight/versions.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

const kindPlan = makePlan();
const minikubePlan = makePlan({ cluster: { provider: "minikube" } });

describe("preflight: tools", () => {
  describe("Node.js", () => {
    it("passes at the minimum and fails below it with the install link", async () => {
      assert.equal((await runCheck(nodeCheck, kindPlan, fakeProbes({ nodeVersion: "22.12.0" }))).status, "ok");
      const old = await runCheck(nodeCheck, kindPlan, fakeProbes({ nodeVersion: "20.20.2" }));
      assert.equal(old.status, "fail");
      assert.match(old.reason, /20\.20\.2 is older than 22\.12\.0/);
      assert.match(old.fix ?? "", /nodejs\.org/);
    });
    it("requires what package.json's engines field requires", () => {
      const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
        engines: { node: string };
      };
      assert.match(pkg.engines.node, /^>=/);
      assert.equal(
        compareVersions(pkg.engines.node.slice(2), MIN_NODE_VERSION),
        0,
        `${pkg.engines.node} vs ${MIN_NODE_VERSION}`,
      );
    });
  });

  describe("Pulumi CLI", () => {
    const withPulumi = (where: Record<string, string>, toolchain?: string) =>
      fakeProbes({
        toolchainBinDir: async () => toolchain,
        which: async (name, dirs = []) => {
          for (const d of dirs) if (where[`${d}/${name}`]) return `${d}/${name}`;
          return where[`PATH/${name}`] ? "/usr/local/bin/pulumi" : undefined;
        },
        commands: {
          "/home/u/.cto/bin/pulumi": { stdout: `v${where["/home/u/.cto/bin/pulumi"]}\n` },
          "/tc/bin/pulumi": { stdout: `v${where["/tc/bin/pulumi"]}\n` },
          "/usr/local/bin/pulumi": { stdout: `v${where["PATH/pulumi"]}\n` },
        },
      });

    it("finds the pinned version in ~/.cto/bin", async () => {
      const r = await runCheck(pulumiCheck, kindPlan, withPulumi({ "/home/u/.cto/bin/pulumi": "3.276.0" }));
      assert.equal(r.status, "ok");
      assert.match(r.reason, /v3\.276\.0 at \/home\/u\/\.cto\/bin\/pulumi/);
    });
    it("uses the toolchain's copy when PATH has an older one", async () => {
      const r = await runCheck(
        pulumiCheck,
        kindPlan,
        withPulumi({ "/tc/bin/pulumi": "3.276.0", "PATH/pulumi": "3.100.0" }, "/tc/bin"),
      );
      assert.equal(r.status, "ok");
      assert.match(r.reason, /\/tc\/bin\/pulumi/);
    });
    it("fails when missing, offering --fix when the toolchain cache has it", async () => {
      const none = await runCheck(pulumiCheck, kindPlan, withPulumi({}));
      assert.equal(none.status, "fail");
      assert.match(
        none.fix ?? "",
        /cto doctor --fix {3}\(downloads Pulumi CLI 3\.276\.0 into \/home\/u\/\.cto\/bin, SHA-256 checked\)/,
      );
      assert.doesNotMatch(none.fix ?? "", /curl|\| *sh/, "never curl | sh");
      const cached = await runCheck(pulumiCheck, kindPlan, withPulumi({ "/tc/bin/pulumi": "3.100.0" }, "/tc/bin"));
      assert.equal(cached.status, "fail");
      assert.match(cached.fix ?? "", /cto doctor --fix/);
    });
    it("fails for an older CLI and only warns for a newer one", async () => {
      const old = await runCheck(pulumiCheck, kindPlan, withPulumi({ "PATH/pulumi": "3.200.1" }));
      assert.equal(old.status, "fail");
      assert.match(old.reason, /3\.200\.1 .* older than the pinned 3\.276\.0/);
      const newer = await runCheck(pulumiCheck, kindPlan, withPulumi({ "PATH/pulumi": "3.280.0" }));
      assert.equal(newer.status, "warn");
      assert.equal(newer.critical, false);
    });
  });

  describe("kubectl", () => {
    it("missing / too old / found", async () => {
      assert.equal((await runCheck(kubectlCheck, kindPlan, fakeProbes())).status, "fail");
      const old = await runCheck(
        kubectlCheck,
        kindPlan,
        fakeProbes({ commands: { kubectl: { stdout: '{"clientVersion":{"gitVersion":"v1.24.0"}}' } } }),
      );
      assert.equal(old.status, "fail");
      assert.match(old.reason, /1\.24\.0 is older/);
      const good = await runCheck(
        kubectlCheck,
        kindPlan,
        fakeProbes({ commands: { kubectl: { stdout: '{"clientVersion":{"gitVersion":"v1.32.4-dispatcher"}}' } } }),
      );
      assert.deepEqual([good.status, good.reason], ["ok", "kubectl 1.32.4"]);
    });
  });

  describe("Docker", () => {
    it("applies to kind (critical) and minikube (not critical), not to existing clusters", async () => {
      assert.equal(dockerCheck.appliesTo(makePlan({ cluster: { provider: "existing" } })), false);
      const kind = await runCheck(dockerCheck, kindPlan, fakeProbes());
      assert.deepEqual([kind.status, kind.critical], ["fail", true]);
      const mk = await runCheck(dockerCheck, minikubePlan, fakeProbes());
      assert.deepEqual([mk.status, mk.critical], ["fail", false]);
    });
    it("tells a stopped daemon from a permission problem", async () => {
      const down = await runCheck(
        dockerCheck,
        kindPlan,
        fakeProbes({
          commands: {
            docker: {
              code: 1,
              stderr:
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            },
          },
        }),
      );
      assert.match(down.reason, /daemon is not running/);
      assert.match(down.fix ?? "", /systemctl start docker/);
      const perm = await runCheck(
        dockerCheck,
        kindPlan,
        fakeProbes({
          commands: {
            docker: { code: 1, stderr: "permission denied while trying to connect to the Docker daemon socket" },
          },
        }),
      );
      assert.match(perm.fix ?? "", /usermod -aG docker/);
      const up = await runCheck(dockerCheck, kindPlan, fakeProbes({ commands: { docker: { stdout: "27.3.1\n" } } }));
      assert.deepEqual([up.status, up.reason], ["ok", "Docker 27.3.1, daemon running"]);
    });
  });

  describe("kind and minikube", () => {
    it("kind: missing, too old, recent enough", async () => {
      assert.equal((await runCheck(kindCheck, kindPlan, fakeProbes())).status, "fail");
      const old = await runCheck(
        kindCheck,
        kindPlan,
        fakeProbes({ commands: { kind: { stdout: "kind v0.17.0 go1.19 linux/amd64" } } }),
      );
      assert.match(old.reason, /kind 0\.17\.0 is older than 0\.20\.0/);
      const ok = await runCheck(
        kindCheck,
        kindPlan,
        fakeProbes({ commands: { kind: { stdout: "kind v0.27.0 go1.23.4 linux/amd64" } } }),
      );
      assert.deepEqual([ok.status, ok.reason], ["ok", "kind 0.27.0"]);
      assert.equal(kindCheck.appliesTo(minikubePlan), false);
    });
    it("minikube: applies only to minikube plans", async () => {
      assert.equal(minikubeCheck.appliesTo(kindPlan), false);
      const ok = await runCheck(
        minikubeCheck,
        minikubePlan,
        fakeProbes({ commands: { minikube: { stdout: "v1.35.0\n" } } }),
      );
      assert.equal(ok.status, "ok");
    });
  });
});
