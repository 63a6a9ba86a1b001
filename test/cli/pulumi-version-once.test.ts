/**
 * `pulumi version` runs once per Pulumi binary (issue 20): the prerequisite check and the
 * lifecycle's own lookup share the cache under `<CTO_HOME>/run`, so neither a second `cto doctor`
 * nor the `cto up` after it starts the binary again just to ask its version. Counted with a
 * stand-in `pulumi` in `<CTO_HOME>/bin` (the first place cto looks) that logs every invocation.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acmeConfigYaml } from "../helpers/acme-config.js";
import { Sandbox } from "../helpers/cli.js";

describe("pulumi version once per binary", function () {
  this.timeout(180_000);
  let box: Sandbox;
  let calls: string;
  before(() => {
    box = new Sandbox();
    writeFileSync(join(box.cwd, "cto.yaml"), acmeConfigYaml());
    calls = join(box.root, "pulumi-calls.log");
    const bin = join(box.env.CTO_HOME as string, "bin");
    mkdirSync(bin, { recursive: true });
    // Answers `version` as the pinned CLI does; anything else fails (no engine behind it).
    writeFileSync(
      join(bin, "pulumi"),
      `#!/bin/sh\necho "$*" >> '${calls}'\n[ "$1" = version ] && { echo v3.276.0; exit 0; }\necho "stand-in pulumi: $*" >&2\nexit 1\n`,
    );
    chmodSync(join(bin, "pulumi"), 0o755);
  });
  after(() => box.remove());

  const versionCalls = (): number =>
    existsSync(calls)
      ? readFileSync(calls, "utf8")
          .split("\n")
          .filter((l) => l.split(" ")[0] === "version").length
      : 0;

  it("cto doctor asks the binary once; a second doctor answers from the cache", async () => {
    const first = await box.run(["doctor", "--json"]);
    const check = (
      JSON.parse(first.stdout) as { checks: { id: string; status: string; reason: string }[] }
    ).checks.find((c) => c.id === "tool.pulumi");
    assert.equal(check?.status, "ok", JSON.stringify(check));
    assert.match(check?.reason ?? "", /v3\.276\.0 at .*\/\.cto\/bin\/pulumi/);
    assert.equal(versionCalls(), 1);
    await box.run(["doctor", "--json"]);
    assert.equal(versionCalls(), 1, readFileSync(calls, "utf8"));
  });

  it("cto up finds the same binary without asking it again", async () => {
    const r = await box.run(["up", "--yes", "--skip-checks"], { env: { CI: "true" } });
    // The stand-in has no engine behind it, so up fails once it uses the CLI for real work.
    assert.notEqual(r.code, 0);
    const log = readFileSync(calls, "utf8");
    assert.ok(
      log.split("\n").some((l) => /^stack /.test(l)),
      `up reached the CLI: ${log}`,
    );
    assert.equal(versionCalls(), 1, log);
  });
});
