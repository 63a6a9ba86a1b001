/**
 * The init wizard's question model with a scripted prompter: the prompt budget (at most 10, the
 * PRD's metric), flags suppressing prompts, and nothing written on cancel.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { buildInitDocument } from "../../cli/init/document.js";
import { Cancelled, checkFlags, type Prompter, type Step } from "../../cli/init/gather.js";
import { MAX_PROMPTS, QUESTIONS, type InitChoices } from "../../cli/init/questions.js";
import { runInit, type InitIO } from "../../cli/init/run.js";

const CHOICES = {
  profiles: [{ value: "minimal" }, { value: "standard" }, { value: "production" }],
  agents: [{ value: "rex" }, { value: "cleo" }],
};

/** Answers from a script, in order; records every prompt shown, its step and its initial value. */
function scripted(
  answers: (string | string[] | boolean | "CANCEL")[],
): Prompter & { asked: string[]; steps: string[]; initials: unknown[] } {
  const asked: string[] = [];
  const steps: string[] = [];
  const initials: unknown[] = [];
  const next = (message: string, step: Step, initial?: unknown): string | string[] | boolean => {
    asked.push(message);
    steps.push(`${step.n}/${step.of}`);
    initials.push(initial);
    const a = answers.shift();
    if (a === undefined) throw new Error(`no scripted answer for "${message}"`);
    if (a === "CANCEL") throw new Cancelled();
    return a;
  };
  return {
    asked,
    steps,
    initials,
    text: async (q, initial, step) => next(q.message, step, initial) as string,
    select: async (q, _c, initial, step) => next(q.message, step, initial) as string,
    multiselect: async (q, _c, initial, step) => next(q.message, step, initial) as string[],
    confirm: async (message, initial, step) => next(message, step, initial) as boolean,
  };
}

describe("cto init wizard model", () => {
  let dir: string;
  let ui: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cto-init-unit-"));
    ui = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function io(prompter: Prompter, validated: string[] = [], choices: InitChoices = CHOICES, terminal = true): InitIO {
    return {
      cwd: dir,
      env: {},
      print: (l) => ui.push(l),
      terminal,
      choices,
      prompter: () => prompter,
      ui: { intro: () => {}, note: () => {}, outro: (t) => ui.push(t), cancel: (t) => ui.push(t) },
      validate: async (file) => {
        validated.push(readFileSync(file, "utf8"));
        return [];
      },
    };
  }

  it("shows at most 10 prompts even in the longest path (existing file, no domain: a tunnel, non-local registry)", async () => {
    writeFileSync(join(dir, "cto.yaml"), "# old\n");
    const p = scripted([
      true, // replace?
      "acme",
      "platform",
      "standard",
      "k3s",
      "", // no domain: the tunnel question
      "https://hooks.acme.example",
      "generic",
      "registry.acme.example:5000",
      ["rex", "cleo"],
    ]);
    const validated: string[] = [];
    assert.equal(await runInit({}, io(p, validated)), 0);
    assert.equal(p.asked.length, 10);
    assert.ok(MAX_PROMPTS <= 10, `MAX_PROMPTS is ${MAX_PROMPTS}`);
    assert.equal(p.asked.length, MAX_PROMPTS);
    // Every prompt says where it stands; the registry host (asked after choosing generic) adds one.
    assert.deepEqual(p.steps, ["1/9", "2/9", "3/9", "4/9", "5/9", "6/9", "7/9", "8/9", "9/10", "10/10"]);
    const written = readFileSync(join(dir, "cto.yaml"), "utf8");
    assert.equal(validated[0], written, "the file put in place is the one that was validated");
    assert.match(written, /url: registry\.acme\.example:5000/);
    assert.match(written, /password: \$\{CTO_REGISTRY_PASSWORD\}/);
    assert.match(written, /token: \$\{CTO_TUNNEL_TOKEN\}/);
  });

  it("asks only what no flag answered", async () => {
    const p = scripted(["kind", "", "", ["rex"]]);
    const flags = {
      org: "acme",
      repo: "platform",
      profile: "minimal",
      registry: "local",
    };
    assert.equal(await runInit(flags, io(p)), 0);
    assert.deepEqual(p.asked, [
      "Where does the platform run?",
      "Public domain for the platform (leave empty for none)",
      "No domain: GitHub reaches the platform through a tunnel. Its public URL (Cloudflare Tunnel hostname or ngrok domain; empty for none)",
      "Agents to enable",
    ]);
  });

  it("a tunnel URL without a domain writes github.tunnel (relay from the URL, token by reference); bad combinations are refused", async () => {
    const flags = { org: "acme", repo: "platform", profile: "minimal", registry: "local", agents: "rex" };
    const cases: [string, string, string][] = [
      ["https://hooks.acme.example", "cloudflare", "CTO_TUNNEL_TOKEN"],
      ["https://acme.ngrok.app", "ngrok", "CTO_TUNNEL_TOKEN"],
      ["https://smee.io/abc", "smee", ""],
    ];
    for (const [url, provider, ref] of cases) {
      rmSync(join(dir, "cto.yaml"), { force: true });
      const p = scripted(["kind", "", url]);
      assert.equal(await runInit(flags, io(p)), 0);
      const doc = parse(readFileSync(join(dir, "cto.yaml"), "utf8"));
      assert.deepEqual(doc.github.tunnel, { provider, url, ...(ref ? { token: `\${${ref}}` } : {}) }, url);
    }
    rmSync(join(dir, "cto.yaml"), { force: true });
    const custom = { ...flags, provider: "kind", domain: "", tunnelUrl: "https://hooks.acme.example", tunnel: "ngrok" };
    assert.equal(await runInit(custom, io(scripted([]))), 0);
    assert.equal(parse(readFileSync(join(dir, "cto.yaml"), "utf8")).github.tunnel.provider, "ngrok", "--tunnel wins");
    for (const [bad, message] of [
      [{ domain: "agents.acme.example", tunnelUrl: "https://hooks.acme.example" }, /for a platform without --domain/],
      [{ provider: "existing", tunnelUrl: "https://hooks.acme.example" }, /for a local cluster/],
      [{ tunnel: "cloudflare" }, /--tunnel cloudflare needs --tunnel-url/],
      [{ tunnelUrl: "http://hooks.acme.example" }, /must be an https URL/],
    ] as const) {
      await assert.rejects(runInit({ ...flags, ...bad }, io(scripted([]))), message);
    }
  });

  it("a cancel writes nothing and ends with 'Operation cancelled.' (exit 0)", async () => {
    const p = scripted(["acme", "CANCEL"]);
    assert.equal(await runInit({}, io(p)), 0);
    assert.deepEqual(ui, ["Operation cancelled."]);
    assert.equal(existsSync(join(dir, "cto.yaml")), false);
  });

  it("declining to replace an existing file keeps it and asks nothing else", async () => {
    writeFileSync(join(dir, "cto.yaml"), "# old\n");
    const p = scripted([false]);
    assert.equal(await runInit({}, io(p)), 0);
    assert.equal(p.asked.length, 1);
    assert.equal(readFileSync(join(dir, "cto.yaml"), "utf8"), "# old\n");
  });

  it("defaults the organisation and repository to the git remote, and says so without a terminal", async () => {
    const choices = { ...CHOICES, gitRemote: { organization: "Acme-Labs", repository: "widgets", remote: "origin" } };
    const p = scripted(["Acme-Labs", "widgets", "minimal", "kind", "", "", "local", ["rex"]]);
    assert.equal(await runInit({}, io(p, [], choices)), 0);
    assert.deepEqual(p.initials.slice(0, 2), ["Acme-Labs", "widgets"]);
    // Another organisation typed: the remote's repository is no longer offered.
    const other = scripted(["other", "platform", "minimal", "kind", "", "", "local", ["rex"]]);
    assert.equal(await runInit({ force: true }, io(other, [], choices)), 0);
    assert.deepEqual(other.initials.slice(0, 2), ["Acme-Labs", undefined]);

    rmSync(join(dir, "cto.yaml"));
    ui = [];
    const none = scripted([]);
    assert.equal(await runInit({ yes: true }, io(none, [], choices, false)), 0);
    assert.equal(none.asked.length, 0);
    const doc = parse(readFileSync(join(dir, "cto.yaml"), "utf8"));
    assert.deepEqual(doc.github, { organization: "Acme-Labs", repository: "widgets" });
    assert.equal(doc.platform.name, "acme-labs-platform");
    assert.ok(
      ui.includes("GitHub organisation and repository from github.com/Acme-Labs/widgets (git remote origin)."),
      ui.join("\n"),
    );
  });

  it("an empty answer to a needed question says what is needed, never a schema message", () => {
    for (const key of ["organization", "repository", "registryUrl"] as const) {
      const q = QUESTIONS.find((x) => x.key === key);
      const message = q?.validate("", CHOICES) ?? "";
      assert.match(message, /^needed: .+, e\.g\. \S+$/, `${key}: ${message}`);
      assert.doesNotMatch(message, /Too (small|big)|expected string/);
    }
    const org = QUESTIONS.find((x) => x.key === "organization");
    assert.match(org?.validate("a".repeat(40), CHOICES) ?? "", /must be a GitHub login/);
    assert.throws(() => checkFlags({ org: "" }, CHOICES), /--org "": needed: the GitHub organisation/);
  });

  it("the commented prod environment validates once uncommented, whatever the answers", async () => {
    const { loadConfig } = await import("../../config/load.js");
    const { loadCatalog } = await import("../../profiles/load.js");
    const { resolvePlan } = await import("../../profiles/resolve.js");
    const catalog = await loadCatalog();
    const env = { CTO_REGISTRY_USERNAME: "bot", CTO_REGISTRY_PASSWORD: "x" };
    let checked = 0;
    for (const profile of ["minimal", "standard", "production"]) {
      for (const domain of ["", "agents.acme.example"]) {
        for (const registry of ["local", "ghcr"] as const) {
          for (const features of [undefined, ["monitoring"], ["backup", "high_availability", "security"]]) {
            const text = buildInitDocument({
              organization: "Acme",
              repository: "platform",
              name: "acme-platform",
              profile,
              provider: "kind",
              domain,
              registry,
              registryUrl: registry === "ghcr" ? "ghcr.io" : undefined,
              agents: ["rex"],
              features,
            }).text;
            // Uncomment the block as a person would: drop "# " from the lines under environments.
            const lines = text.split("\n");
            const start = lines.indexOf("  # prod:");
            assert.ok(start > 0, text);
            for (let i = start; i < lines.length && lines[i]?.startsWith("  # "); i++) {
              lines[i] = `  ${(lines[i] as string).slice(4)}`;
            }
            const file = join(dir, `prod-${checked}.yaml`);
            writeFileSync(file, lines.join("\n"));
            const config = await loadConfig(file, { env });
            assert.equal(config.environments.prod?.production, true);
            await resolvePlan(config, { environment: "prod", baseDir: dir, file, env }, catalog);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, 36);
  });
});
