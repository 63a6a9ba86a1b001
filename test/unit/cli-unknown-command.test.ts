/**
 * Unknown commands: the nearest command is always named, words from other tools map to the command
 * that does that job (never to a destructive one by spelling), and the PRD's install/uninstall are
 * aliases of up/destroy.
 */
import assert from "node:assert/strict";
import { gitHubRemote, parseGitHubUrl } from "../../cli/init/git-remote.js";
import { buildProgram } from "../../cli/main.js";
import { nearestCommand, unknownCommandMessage } from "../../cli/unknown-command.js";

describe("unknown commands", () => {
  const program = buildProgram();

  it("suggests the nearest command by spelling, prefix or the job it does", () => {
    const cases: [string, string][] = [
      ["doctr", "doctor"],
      ["stat", "status"],
      ["instal", "install"],
      ["uninstal", "uninstall"],
      ["deploy", "up"],
      ["apply", "up"],
      ["delete", "destroy"],
      ["plan", "preview"],
      ["Preveiw", "preview"],
    ];
    for (const [input, expected] of cases) assert.equal(nearestCommand(program, input), expected, input);
  });

  it("lists the commands when nothing is close, and works for command groups", () => {
    assert.equal(nearestCommand(program, "xylophone"), undefined);
    assert.match(unknownCommandMessage(program, "xylophone"), /cto has: init, config, .*version/);
    const config = program.commands.find((c) => c.name() === "config");
    assert.ok(config);
    assert.equal(
      unknownCommandMessage(config, "valdate"),
      "error: unknown command 'valdate'. Did you mean 'cto config validate'? (cto config --help lists every command)",
    );
  });

  it("install and uninstall are aliases of up and destroy", () => {
    assert.deepEqual(program.commands.find((c) => c.name() === "up")?.aliases(), ["install"]);
    assert.deepEqual(program.commands.find((c) => c.name() === "destroy")?.aliases(), ["uninstall"]);
  });
});

describe("git remote defaults for cto init", () => {
  it("reads GitHub URLs in every form git accepts, and nothing else", () => {
    const want = { organization: "acme", repository: "platform" };
    for (const url of [
      "git@github.com:acme/platform.git",
      "git@github.com:acme/platform",
      "https://github.com/acme/platform",
      "https://github.com/acme/platform.git",
      "https://user@github.com/acme/platform.git/",
      "ssh://git@github.com/acme/platform.git",
      "ssh://git@ssh.github.com:443/acme/platform.git",
    ]) {
      assert.deepEqual(parseGitHubUrl(url), want, url);
    }
    for (const url of [
      "git@gitlab.com:acme/platform.git",
      "https://github.com.evil.example/acme/platform",
      "https://github.com/acme",
      "/srv/git/platform.git",
      "https://github.com/-bad-/platform",
    ]) {
      assert.equal(parseGitHubUrl(url), undefined, url);
    }
  });

  it("finds nothing outside a git repository", () => {
    assert.equal(gitHubRemote("/"), undefined);
  });
});
