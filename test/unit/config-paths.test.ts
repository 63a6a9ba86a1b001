import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ctoHome, packageRoot } from "../../config/paths.js";

describe("config: paths", () => {
  it("packageRoot() finds cto's package.json from the build output", () => {
    const root = packageRoot({});
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { name: string };
    assert.equal(manifest.name, "cto");
    assert.ok(readFileSync(path.join(root, "profiles", "versions.yaml"), "utf8").includes("releases:"));
  });

  it("CTO_PACKAGE_ROOT wins (bundled binaries)", () => {
    assert.equal(packageRoot({ CTO_PACKAGE_ROOT: "/opt/cto/share" }), "/opt/cto/share");
  });

  it("ctoHome(): $CTO_HOME, else ~/.cto", () => {
    assert.equal(ctoHome({ CTO_HOME: "/tmp/cto-home-x" }), "/tmp/cto-home-x");
    assert.equal(ctoHome({ HOME: "/home/acme" }), "/home/acme/.cto");
    assert.equal(ctoHome({}), path.join(os.homedir(), ".cto"));
  });
});
