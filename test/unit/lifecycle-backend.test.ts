import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { engineBackendUrl, prepareBackend, removeEmptySidecars, resolveBackend } from "../../stacks/backend.js";

describe("stacks/backend: the file backend survives a run killed while writing", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "cto-backend-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("hands the engine a file:// URL that writes no metadata sidecars; the user's URL stays as it was", function () {
    const backend = resolveBackend({ state: { secretsProvider: "passphrase" } }, { env: { CTO_HOME: dir } });
    assert.equal(backend.url, `file://${path.join(dir, "state")}`);
    assert.equal(engineBackendUrl(backend), `file://${path.join(dir, "state")}?metadata=skip`);
    const service = resolveBackend(
      { state: { secretsProvider: "passphrase", backendUrl: "https://api.pulumi.com" } },
      { env: {} },
    );
    assert.equal(engineBackendUrl(service), "https://api.pulumi.com");
  });

  it("removes the empty sidecars a killed write leaves (which made every later command fail with EOF)", async function () {
    const stacks = path.join(dir, ".pulumi", "stacks", "acme");
    const locks = path.join(dir, ".pulumi", "locks", "organization", "acme", "dev");
    mkdirSync(stacks, { recursive: true });
    mkdirSync(locks, { recursive: true });
    writeFileSync(path.join(stacks, "dev.json"), "{}");
    writeFileSync(path.join(stacks, "dev.json.attrs"), "");
    writeFileSync(path.join(stacks, "dev.json.bak.attrs"), '{"user.content_type":"application/json"}\n');
    writeFileSync(path.join(locks, "x.json.attrs"), "");
    await prepareBackend({ url: `file://${dir}`, kind: "file", source: "default", dir });
    assert.equal(existsSync(path.join(stacks, "dev.json.attrs")), false, "the empty sidecar is gone");
    assert.equal(existsSync(path.join(locks, "x.json.attrs")), false, "the empty lock sidecar is gone");
    assert.equal(existsSync(path.join(stacks, "dev.json.bak.attrs")), true, "a written sidecar stays");
    assert.equal(existsSync(path.join(stacks, "dev.json")), true, "the state stays");
    assert.deepEqual(await removeEmptySidecars(path.join(dir, "missing")), []);
  });
});
