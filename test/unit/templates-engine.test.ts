import { strict as assert } from "node:assert";
import { UserError } from "../../config/errors.js";
import { TemplateEngine } from "../../templates/engine.js";
import { randomToken, type HelperInputs, type SecretSpec } from "../../templates/helpers.js";

const webhookSecret: SecretSpec = {
  name: "cto-github-webhook",
  namespace: "cto",
  type: "Opaque",
  keys: { secret: "github.webhook_secret" },
  openKeys: false,
};

function engine(templates: Record<string, string>, inputs: Partial<HelperInputs> = {}): TemplateEngine {
  return new TemplateEngine(templates, {
    env: {},
    randomStore: {},
    secrets: { "github-webhook": webhookSecret },
    ...inputs,
  });
}

/** Renders `source` as a YAML template named t.yaml.hbs and returns the parsed data. */
function render(source: string, context: object = {}, inputs: Partial<HelperInputs> = {}): unknown {
  return engine({ "t.yaml.hbs": source }, inputs).renderData("t.yaml.hbs", context);
}

/** The UserError a render throws: its message and hint. */
function failure(
  source: string,
  context: object = {},
  inputs: Partial<HelperInputs> = {},
): { message: string; hint?: string } {
  try {
    render(source, context, inputs);
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    return { message: err.message, hint: err.hint };
  }
  assert.fail("expected the render to fail");
}

describe("template engine", () => {
  describe("strict variables", () => {
    it("names template, line and full path of a missing variable in a mustache", () => {
      const f = failure("a: 1\nb: 2\nhost: {{json platform.domian}}\n", { platform: { domain: "acme.example" } });
      assert.equal(f.message, 'templates/t.yaml.hbs:3: missing variable "platform.domian"');
    });

    it("treats a missing helper argument as a missing variable (plain Handlebars strict mode does not)", () => {
      const f = failure('a: 1\nhost: {{json (concat "argocd." platform.domian)}}\n', { platform: {} });
      assert.equal(f.message, 'templates/t.yaml.hbs:2: missing variable "platform.domian"');
    });

    it("treats a missing {{#if}} condition as a missing variable", () => {
      const f = failure("{{#if features.monitorin}}\nx: 1\n{{/if}}\n", { features: { monitoring: true } });
      assert.equal(f.message, 'templates/t.yaml.hbs:1: missing variable "features.monitorin"');
    });

    it("reports a missing field inside {{#each}} at its own line", () => {
      const f = failure("agents:\n{{#each agents}}\n  - {{json nmae}}\n{{/each}}\n", { agents: [{ name: "rex" }] });
      assert.equal(f.message, 'templates/t.yaml.hbs:3: missing variable "nmae"');
    });

    it("accepts a variable that is present with a null value", () => {
      assert.deepEqual(render("domain: {{json platform.domain}}\n", { platform: { domain: null } }), { domain: null });
    });
  });

  describe("quoting", () => {
    it("inserts values through {{json}} as quoted literals, whatever they contain", () => {
      const tricky = "a: b # not a comment\n- still: one string";
      const data = render("name: {{json v}}\nlist: {{json l}}\n", { v: tricky, l: ["x: y", "yes", "1.0"] });
      assert.deepEqual(data, { name: tricky, list: ["x: y", "yes", "1.0"] });
    });

    it("refuses a bare {{variable}} because it would be inserted unquoted", () => {
      const f = failure("a: 1\nname: {{platform.name}}\n", { platform: { name: "acme" } });
      assert.equal(f.message, "templates/t.yaml.hbs:2: {{platform.name}} would insert a value without quoting it");
      assert.equal(f.hint, "write {{json platform.name}} so the value is a quoted YAML/JSON literal");
    });

    it("allows {{text}} in Markdown templates only", () => {
      const e = engine({ "r.md.hbs": "# {{text name}}\n", "r.yaml.hbs": "a: {{text name}}\n" });
      assert.equal(e.renderText("r.md.hbs", { name: "acme" }), "# acme\n");
      assert.throws(() => e.renderText("r.yaml.hbs", { name: "acme" }), {
        message: "templates/r.yaml.hbs:1: {{text ...}} would insert a value without quoting it",
      });
    });
  });

  describe("helpers", () => {
    it("refuses an unknown helper before rendering, naming it", () => {
      const f = failure("a: 1\nb: {{json (uppercase org)}}\n", { org: "acme" });
      assert.equal(f.message, 'templates/t.yaml.hbs:2: unknown helper "uppercase"');
      assert.match(f.hint ?? "", /available helpers: and, concat, default, env, eq, get, includes, json/);
    });

    it("refuses an unknown helper used as a mustache", () => {
      assert.equal(
        failure("x: {{shout org}}\n", { org: "acme" }).message,
        'templates/t.yaml.hbs:1: unknown helper "shout"',
      );
    });

    it("refuses an unknown block helper", () => {
      assert.equal(
        failure("{{#repeat 3}}\nx: 1\n{{/repeat}}\n").message,
        'templates/t.yaml.hbs:1: unknown block helper "repeat"',
      );
    });

    it("env: reads the caller's environment, not process.env", () => {
      process.env.CTO_TEMPLATES_TEST_LEAK = "from-process";
      try {
        const data = render('a: {{json (env "ACME_REGION")}}\n', {}, { env: { ACME_REGION: "eu-west-1" } });
        assert.deepEqual(data, { a: "eu-west-1" });
        const f = failure('a: {{json (env "CTO_TEMPLATES_TEST_LEAK")}}\n');
        assert.equal(f.message, "templates/t.yaml.hbs:1: environment variable CTO_TEMPLATES_TEST_LEAK is not set");
      } finally {
        delete process.env.CTO_TEMPLATES_TEST_LEAK;
      }
    });

    it("env: an unset variable without default is an error naming it and the fix", () => {
      const f = failure('a: 1\ntoken: {{json (env "ACME_TOKEN")}}\n');
      assert.equal(f.message, "templates/t.yaml.hbs:2: environment variable ACME_TOKEN is not set");
      assert.equal(f.hint, 'set ACME_TOKEN, or give a default: (env "ACME_TOKEN" "value")');
    });

    it("env: an explicit default is used when unset, and an empty default is allowed", () => {
      assert.deepEqual(render('a: {{json (env "ACME_X" "fallback")}}\nb: {{json (env "ACME_Y" "")}}\n'), {
        a: "fallback",
        b: "",
      });
    });

    it("secret: yields a reference to a key, or the Secret name, never a value", () => {
      const data = render(
        'ref: {{json (secret "github-webhook" "secret")}}\nname: {{json (secret "github-webhook")}}\n',
      );
      assert.deepEqual(data, { ref: { name: "cto-github-webhook", key: "secret" }, name: "cto-github-webhook" });
    });

    it("secret: an unknown purpose or key is an error listing what exists", () => {
      assert.equal(
        failure('a: {{json (secret "github-webhok" "secret")}}\n').message,
        'templates/t.yaml.hbs:1: unknown secret "github-webhok" (known: github-webhook)',
      );
      assert.equal(
        failure('a: {{json (secret "github-webhook" "token")}}\n').message,
        'templates/t.yaml.hbs:1: secret "github-webhook" has no key "token" (keys: secret)',
      );
    });

    it("random: generated once, recorded in the store, and reused on later renders", () => {
      const store: Record<string, string> = {};
      const first = render('id: {{json (random "installation-id" 12)}}\n', {}, { randomStore: store }) as {
        id: string;
      };
      assert.match(first.id, /^[a-z0-9]{12}$/);
      assert.deepEqual(store, { "installation-id": first.id });
      const again = render('id: {{json (random "installation-id" 12)}}\n', {}, { randomStore: store });
      assert.deepEqual(again, first);
    });

    it("random: a stored value is never regenerated, whatever the randomness source", () => {
      const store = { "installation-id": "keepme000000" };
      const data = render(
        'id: {{json (random "installation-id" 12)}}\n',
        {},
        {
          randomStore: store,
          randomSource: () => assert.fail("a stored value must not be regenerated"),
        },
      );
      assert.deepEqual(data, { id: "keepme000000" });
    });

    it("random: the alphabet is unbiased lowercase alphanumerics and bad lengths are refused", () => {
      const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
      assert.match(randomToken(64, bytes), /^[a-z0-9]{64}$/);
      assert.equal(
        failure('a: {{json (random "x" 2)}}\n').message,
        "templates/t.yaml.hbs:1: random length must be a whole number from 4 to 64, got number",
      );
    });

    it("get: a key that is not in the map is an error, not an empty value", () => {
      assert.deepEqual(render('a: {{json (get m "rex")}}\n', { m: { rex: "acme-rex" } }), { a: "acme-rex" });
      assert.equal(
        failure('a: {{json (get m "cleo")}}\n', { m: { rex: "acme-rex" } }).message,
        'templates/t.yaml.hbs:1: missing variable "cleo" in the map given to get',
      );
    });
  });

  describe("template errors", () => {
    it("reports a syntax error with the template's line", () => {
      const f = failure("a: 1\n{{#if x}}\nb: 2\n{{/iff}}\n", { x: true });
      assert.match(f.message, /^templates\/t\.yaml\.hbs(:\d+)?: template syntax error: /);
      assert.match(f.message, /if doesn't match iff/);
    });

    it("reports output that is not YAML with the template's name", () => {
      const f = failure("a: {{json v}}\n  b: c\n", { v: "x" });
      assert.match(
        f.message,
        /^templates\/t\.yaml\.hbs: rendered output is not valid YAML at line 2 of the output: All mapping items must start at the same column$/,
      );
    });

    it("refuses partials", () => {
      assert.equal(
        failure("{{> other}}\n").message,
        "templates/t.yaml.hbs:1: partials and decorators are not supported in cto templates",
      );
    });

    it("names a template that does not exist", () => {
      assert.throws(() => engine({}).renderText("values/nope.yaml.hbs", {}), {
        message: "templates/values/nope.yaml.hbs: no such template",
      });
    });
  });
});
