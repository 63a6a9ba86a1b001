import { strict as assert } from "node:assert";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileBackendDir } from "../../stacks/backend.js";
import { backendCheck, passphraseCheck } from "../../stacks/preflight/checks/state.js";
import { realProbes } from "../../stacks/preflight/probes.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

describe("preflight: state backend and passphrase", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-state-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("file:// paths (the backend's own rule, stacks/backend.ts): ~, absolute, percent-encoded, empty, query", () => {
    assert.equal(fileBackendDir("file://~/.cto/state", "/home/u"), "/home/u/.cto/state");
    assert.equal(fileBackendDir("file://~", "/home/u"), "/home/u");
    assert.equal(fileBackendDir("file://", "/home/u"), "/home/u");
    assert.equal(fileBackendDir("file:///srv/state", "/home/u"), "/srv/state");
    assert.equal(fileBackendDir("file:///srv/my%20state", "/home/u"), "/srv/my state");
    assert.equal(fileBackendDir("file:///srv/state?no_checkpoint=true", "/home/u"), "/srv/state");
  });

  it("defaults to file://~/.cto/state, which will be created when the home is writable (real filesystem)", async () => {
    const probes = realProbes({ home: tmp, env: {} });
    const r = await runCheck(backendCheck(), makePlan(), probes, { ctoHome: path.join(tmp, ".cto") });
    assert.equal(r.status, "ok");
    assert.equal(r.reason, `${path.join(tmp, ".cto", "state")} will be created (${tmp} is writable)`);
  });

  it("an unwritable directory fails (real filesystem)", async function () {
    if (process.getuid?.() === 0) {
      // root writes anywhere: prove the failure path with a path under a regular file instead.
      const plan = makePlan({
        state: { secretsProvider: "passphrase", backendUrl: `file://${path.join(tmp, "afile", "state")}` },
      });
      await (await import("node:fs/promises")).writeFile(path.join(tmp, "afile"), "x");
      const r = await runCheck(backendCheck(), plan, realProbes({ home: tmp, env: {} }));
      assert.equal(r.status, "fail");
      assert.match(r.reason, /afile exists and is not a directory/);
      return;
    }
    const locked = path.join(tmp, "locked");
    await mkdir(locked);
    await chmod(locked, 0o500);
    const plan = makePlan({ state: { secretsProvider: "passphrase", backendUrl: `file://${locked}` } });
    const r = await runCheck(backendCheck(), plan, realProbes({ home: tmp, env: {} }));
    assert.equal(r.status, "fail");
  });

  it("https backends: unreachable fails; reachable without a token fails; with a token passes", async () => {
    const plan = makePlan({ state: { secretsProvider: "passphrase", backendUrl: "https://pulumi.internal.example" } });
    const down = await runCheck(
      backendCheck(),
      plan,
      fakeProbes({ httpGet: async () => ({ ok: false, message: "ECONNREFUSED" }) }),
    );
    assert.match(down.reason, /not reachable: ECONNREFUSED/);
    const up = { httpGet: async () => ({ ok: true as const, status: 200, headers: {}, body: "{}" }) };
    assert.match(
      (await runCheck(backendCheck(), plan, fakeProbes(up))).fix ?? "",
      /pulumi login https:\/\/pulumi\.internal\.example/,
    );
    const withToken = await runCheck(
      backendCheck(),
      plan,
      fakeProbes({ ...up, env: { PULUMI_ACCESS_TOKEN: "pul-x" } }),
    );
    assert.equal(withToken.status, "ok");
    assert.doesNotMatch(JSON.stringify(withToken), /pul-x/);
  });

  it("object storage: says where credentials come from, warns (not critical) without any", async () => {
    const plan = makePlan({ state: { secretsProvider: "passphrase", backendUrl: "s3://acme-state" } });
    const none = await runCheck(backendCheck(), plan, fakeProbes());
    assert.deepEqual([none.status, none.critical], ["warn", false]);
    const env = await runCheck(backendCheck(), plan, fakeProbes({ env: { AWS_PROFILE: "ops" } }));
    assert.match(env.reason, /credentials from AWS_PROFILE; bucket access is verified when cto up opens the stack/);
    const envWins = makePlan({ state: { secretsProvider: "passphrase" } });
    const fromEnv = await runCheck(
      backendCheck(),
      envWins,
      fakeProbes({ env: { PULUMI_BACKEND_URL: "gs://b", GOOGLE_APPLICATION_CREDENTIALS: "/k.json" } }),
    );
    assert.match(fromEnv.reason, /^gs:\/\/b: credentials from GOOGLE_APPLICATION_CREDENTIALS/);
  });

  describe("passphrase", () => {
    const plan = makePlan();
    it("from the environment or a file; a file readable by others is a warning with chmod 600", async () => {
      assert.equal(
        (await runCheck(passphraseCheck(), plan, fakeProbes({ env: { PULUMI_CONFIG_PASSPHRASE: "s3cret" } }))).reason,
        "from PULUMI_CONFIG_PASSPHRASE",
      );
      const missingFile = await runCheck(
        passphraseCheck(),
        plan,
        fakeProbes({ env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/nope" } }),
      );
      assert.equal(missingFile.status, "fail");
      const open = await runCheck(passphraseCheck(), plan, fakeProbes({ fileMode: async () => 0o644 }));
      assert.deepEqual([open.status, open.fix], ["warn", "chmod 600 /home/u/.cto/passphrase"]);
      assert.equal((await runCheck(passphraseCheck(), plan, fakeProbes({ fileMode: async () => 0o600 }))).status, "ok");
    });
    it("none at all: fine for a new stack, critical when the stack already exists", async () => {
      const fresh = await runCheck(passphraseCheck(), plan, fakeProbes());
      assert.equal(fresh.status, "ok");
      assert.match(fresh.reason, /cto up generates one/);
      const stackFile = "/home/u/.cto/state/.pulumi/stacks/acme-platform/dev.json";
      const existing = await runCheck(passphraseCheck(), plan, fakeProbes({ exists: async (p) => p === stackFile }));
      assert.equal(existing.status, "fail");
      assert.match(existing.reason, /stack dev exists .* no passphrase/);
    });
    it("KMS providers are not judged here", async () => {
      const kms = makePlan({ state: { secretsProvider: "awskms://alias/cto" } });
      assert.equal((await runCheck(passphraseCheck(), kms, fakeProbes())).status, "skip");
    });
    it("the lifecycle's own file name and project are honoured", async () => {
      const r = await runCheck(
        passphraseCheck({ passphraseFile: "/etc/cto/pp" }),
        plan,
        fakeProbes({ fileMode: async (p) => (p === "/etc/cto/pp" ? 0o600 : undefined) }),
      );
      assert.equal(r.reason, "/etc/cto/pp (mode 0600)");
    });
  });
});
