import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../../config/errors.js";
import type { Plan } from "../../profiles/plan.js";
import { renderPlatform, type RenderInputs } from "../../templates/render.js";
import {
  parseAgentRoles,
  readAgentRoles,
  readAppCatalog,
  readTemplateSources,
  templatesDir,
} from "../../templates/sources.js";
import { renderFiles, type RenderFormat, type RenderedFiles } from "../../templates/to-directory.js";
import { ACME_PROFILES, acmePlan, useTraefikOnKind, type AcmeProfile } from "../golden/acme-plans.js";

/** Source tree (not dist/): golden files live in test/golden. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const GOLDEN = join(ROOT, "test", "golden");

/** Another organisation's names must never survive in anything rendered. */
const FOREIGN_ORG = /5\s*[-_ ]?\s*d\s*[-_ ]?\s*labs/i;

/** A fixed random store so golden files do not depend on generated values. */
const FIXED_RANDOM = { "installation-id": "inst00000001" };

function inputs(extra: Partial<RenderInputs> = {}): RenderInputs {
  return { env: {}, randomStore: { ...FIXED_RANDOM }, ...extra };
}

function files(plan: Plan, format: RenderFormat): RenderedFiles {
  return renderFiles(plan, renderPlatform(plan, inputs()), { format, secretStore: "acme-vault" });
}

function readTree(dir: string): RenderedFiles {
  const out: RenderedFiles = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p).split("\\").join("/")] = readFileSync(p, "utf8");
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Golden cases: helm values for every profile, manifests for the smallest one. */
const GOLDEN_CASES: { profile: AcmeProfile; format: RenderFormat }[] = [
  ...ACME_PROFILES.map((profile) => ({ profile, format: "helm-values" as const })),
  { profile: "minimal", format: "manifests" },
];

describe("renderPlatform for acme", () => {
  describe("golden files (regenerate with UPDATE_GOLDEN=1)", () => {
    for (const { profile, format } of GOLDEN_CASES) {
      it(`${profile} / ${format} matches test/golden/acme-${profile}-${format}`, () => {
        const dir = join(GOLDEN, `acme-${profile}-${format}`);
        const actual = files(acmePlan(profile), format);
        if (process.env.UPDATE_GOLDEN === "1") {
          rmSync(dir, { recursive: true, force: true });
          for (const [path, content] of Object.entries(actual)) {
            mkdirSync(dirname(join(dir, path)), { recursive: true });
            writeFileSync(join(dir, path), content);
          }
        }
        const expected = readTree(dir);
        assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), "the set of files differs");
        for (const [path, content] of Object.entries(actual)) {
          assert.equal(content, expected[path], `${path} differs from the golden file`);
        }
      });
    }
  });

  it("renders every template, and no template or output mentions another organisation", () => {
    const sources = readTemplateSources();
    const used = new Set<string>();
    // Record which templates the renders read.
    const tracked = new Proxy(sources, {
      get(target, name: string) {
        used.add(name);
        return target[name];
      },
    });
    const roles = readAgentRoles();
    // The profiles, plus minimal with Traefik instead of ingress-nginx on a kind cluster.
    const traefik = useTraefikOnKind(structuredClone(acmePlan("minimal")), "/tmp/kubeconfig");
    const plans: [string, Plan][] = [
      ...ACME_PROFILES.map((p): [string, Plan] => [p, acmePlan(p)]),
      ["traefik", traefik],
    ];
    for (const [profile, plan] of plans) {
      const rendered = renderPlatform(plan, inputs({ templates: tracked, roles }));
      for (const format of ["helm-values", "manifests"] as const) {
        const out = renderFiles(plan, rendered, { format, secretStore: "acme-vault", templates: tracked, roles });
        for (const [path, content] of Object.entries(out)) {
          assert.doesNotMatch(content, FOREIGN_ORG, `${profile}/${format}/${path}`);
        }
      }
      assert.doesNotMatch(JSON.stringify(rendered), FOREIGN_ORG, profile);
    }
    // A controller chart of one's own instead of the objects cto ships: its values and ConfigMap.
    const charted = structuredClone(acmePlan("minimal"));
    charted.components.find((c) => c.name === "controller")!.chart = {
      repository: "oci://registry.acme.example/charts",
      chart: "controller",
      version: "1.2.3",
    };
    const withChart = renderPlatform(charted, inputs({ templates: tracked, roles }));
    const chartFiles = renderFiles(charted, withChart, {
      format: "manifests",
      secretStore: "acme-vault",
      templates: tracked,
      roles,
    });
    for (const [path, content] of Object.entries(chartFiles))
      assert.doesNotMatch(content, FOREIGN_ORG, `chart/${path}`);
    assert.deepEqual(
      Object.keys(sources).filter((name) => !used.has(name)),
      [],
      "templates no acme profile renders (add them to a fixture so they are scanned)",
    );
    for (const [name, text] of Object.entries(sources)) assert.doesNotMatch(text, FOREIGN_ORG, `templates/${name}`);
    const roleData = readFileSync(join(templatesDir(), "agent-roles.yaml"), "utf8");
    assert.doesNotMatch(roleData, FOREIGN_ORG, "templates/agent-roles.yaml");
  });

  it("takes every organisation-specific value from the plan: acme appears, nothing else does", () => {
    const plan = acmePlan("production");
    const other: Plan = {
      ...plan,
      platform: { ...plan.platform, name: "globex-platform", domain: "globex.test", labels: { team: "globex" } },
      github: {
        ...plan.github,
        organization: "globex",
        repository: "infra",
        webhookUrl: "https://hooks.globex.test/github",
        apps: [],
      },
      registry: { ...plan.registry, url: "registry.globex.test", namespace: "ops" },
      images: {
        ...plan.images,
        controller: { ...plan.images.controller, registry: "registry.globex.test", repository: "ops/controller" },
        agents: Object.fromEntries(
          Object.entries(plan.images.agents).map(([cli, i]) => [
            cli,
            { ...i, registry: "registry.globex.test", repository: `ops/${cli}` },
          ]),
        ),
      },
      backup: plan.backup && { ...plan.backup, bucket: "globex-backups", endpoint: "https://s3.globex.test" },
    };
    const rendered = JSON.stringify(renderPlatform(other, inputs()));
    assert.doesNotMatch(rendered, /acme/i);
    assert.match(rendered, /argocd\.globex\.test/);
    assert.match(rendered, /registry\.globex\.test\/ops\/controller:v0\.2\.50/);
    assert.match(rendered, /"globex-rex"/);
  });

  it("is deterministic: same bytes twice, and whatever order the plan lists things in", () => {
    const plan = acmePlan("production");
    const shuffled: Plan = {
      ...plan,
      agents: [...plan.agents].reverse(),
      components: [...plan.components].reverse(),
      namespaces: Object.fromEntries(Object.entries(plan.namespaces).reverse()),
      platform: { ...plan.platform, labels: Object.fromEntries(Object.entries(plan.platform.labels).reverse()) },
      secretNames: [...plan.secretNames].reverse(),
    };
    for (const format of ["helm-values", "manifests"] as const) {
      const a = files(plan, format);
      assert.deepEqual(files(plan, format), a);
      assert.deepEqual(files(shuffled, format), a);
    }
  });

  it("never writes a secret value, even when the environment holds them", () => {
    const canaries = {
      GITHUB_WEBHOOK_SECRET: "canary-webhook-7f3a9d",
      REGISTRY_PASSWORD: "canary-registry-52c1e8",
      REX_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----canary-rex-key",
    };
    for (const profile of ACME_PROFILES) {
      const plan = acmePlan(profile);
      const rendered = renderPlatform(plan, inputs({ env: canaries }));
      for (const format of ["helm-values", "manifests"] as const) {
        const out = renderFiles(plan, rendered, { format, secretStore: "acme-vault" });
        for (const [path, content] of Object.entries(out)) {
          for (const value of Object.values(canaries)) assert.ok(!content.includes(value), `${profile}/${path}`);
        }
      }
    }
  });

  it("derives ingress hosts from the domain, and none without one", () => {
    const plan = acmePlan("standard");
    assert.deepEqual(renderPlatform(plan, inputs()).ingressHosts, {
      argocd: "argocd.acme.example",
      grafana: "grafana.acme.example",
      webhooks: "webhooks.acme.example",
      workflows: "workflows.acme.example",
    });
    const local: Plan = { ...plan, platform: { ...plan.platform, domain: undefined } };
    const r = renderPlatform(local, inputs());
    assert.deepEqual(r.ingressHosts, {});
    assert.equal(r.ingress.enabled, false);
    assert.deepEqual((r.helmValues["argo-cd"] as { server: { ingress: unknown } }).server.ingress, { enabled: false });
  });

  it("turns on HA replicas only with the highAvailability feature", () => {
    type Argo = { server: { replicas: number }; "redis-ha": { enabled: boolean } };
    const standard = renderPlatform(acmePlan("standard"), inputs()).helmValues["argo-cd"] as Argo;
    const production = renderPlatform(acmePlan("production"), inputs()).helmValues["argo-cd"] as Argo;
    assert.deepEqual([standard.server.replicas, standard["redis-ha"].enabled], [1, false]);
    assert.deepEqual([production.server.replicas, production["redis-ha"].enabled], [2, true]);
  });

  it("names GitHub Apps <org>-<agent> unless a slug is configured, with permissions from agent-roles.yaml", () => {
    const plan = acmePlan("standard");
    plan.github.apps = [{ agent: "cleo", appName: "acme-cleo", slug: "acme-review-bot" }];
    const apps = renderPlatform(plan, inputs()).githubAppManifests;
    assert.equal(apps.rex?.name, "acme-rex");
    assert.equal(apps.cleo?.name, "acme-review-bot");
    assert.equal(apps.rex?.public, false);
    // Each agent's App delivers to its own URL (profiles/webhooks.ts).
    assert.equal(apps.rex?.hook_attributes.url, "https://webhooks.acme.example/github/rex");
    assert.equal(apps.cleo?.hook_attributes.url, "https://webhooks.acme.example/github/cleo");
    assert.deepEqual(apps.cleo?.default_permissions, readAgentRoles().roles.quality?.permissions);
  });

  it("without a webhook URL: no hook URL yet (cto up sets it later), but the role's events all the same", () => {
    const plan = acmePlan("minimal");
    plan.github.webhookUrl = undefined;
    const rex = renderPlatform(plan, inputs()).githubAppManifests.rex;
    assert.deepEqual(rex?.hook_attributes, { url: "", active: false });
    assert.deepEqual(rex?.default_events, readAgentRoles().roles.implementation?.events);
  });

  it("the role table is checked against the GitHub App catalog: an unknown permission or event is refused", () => {
    const catalog = readAppCatalog();
    const text = readFileSync(join(templatesDir(), "agent-roles.yaml"), "utf8");
    assert.doesNotThrow(() => parseAgentRoles(text, "agent-roles.yaml", catalog));
    const bad = text
      .replace("      - check_run\n", "      - check_runs\n")
      .replace("      workflows: write\n", "      workflows: read\n");
    assert.throws(
      () => parseAgentRoles(bad, "agent-roles.yaml", catalog),
      (err: unknown) =>
        err instanceof UserError &&
        /roles\.implementation: permission "workflows" cannot be "read" \(GitHub offers write\)/.test(err.message) &&
        /roles\.implementation: unknown event "check_runs"/.test(err.message),
    );
    const noPermission = text.replace("      security_events: read\n", "");
    assert.throws(
      () => parseAgentRoles(noPermission, "agent-roles.yaml", catalog),
      /event "code_scanning_alert" needs the security_events permission/,
    );
  });

  it("refuses a GitHub App name longer than GitHub allows, with the fix", () => {
    const plan = acmePlan("minimal");
    plan.github.organization = "acme-industrial-automation-group";
    assert.throws(
      () => renderPlatform(plan, inputs()),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          'GitHub App name "acme-industrial-automation-group-rex" for agent rex is 36 characters; GitHub allows at most 34' &&
        err.hint === "set a shorter name in cto.yaml: github.apps.rex.slug",
    );
  });

  it("builds image references from the plan's images (acme mirrors them), one per agent by its CLI", () => {
    const r = renderPlatform(acmePlan("standard"), inputs());
    assert.deepEqual(r.images, {
      "agent-cleo": "registry.acme.example/platform/codex:v0.101.0",
      "agent-rex": "registry.acme.example/platform/claude:v2.1.54",
      "agent-tess": "registry.acme.example/platform/claude:v2.1.54",
      controller: "registry.acme.example/platform/controller:v0.2.50",
    });
  });

  it("generates the installation id once and keeps it in the caller's store", () => {
    const store: Record<string, string> = {};
    const first = renderPlatform(acmePlan("minimal"), { env: {}, randomStore: store });
    const id = store["installation-id"];
    assert.match(id ?? "", /^[a-z0-9]{12}$/);
    assert.equal(first.controllerConfig.installationId, id);
    const second = renderPlatform(acmePlan("minimal"), { env: {}, randomStore: store });
    assert.equal(second.controllerConfig.installationId, id);
  });

  it("reports a template mistake through renderPlatform with template, line and variable", () => {
    const templates = readTemplateSources();
    const name = "platform/ingress.yaml.hbs";
    const lines = (templates[name] as string).split("\n");
    const at = lines.findIndex((l) => l.includes('concat "argocd." platform.domain'));
    lines[at] = (lines[at] as string).replace("platform.domain", "platform.domian");
    templates[name] = lines.join("\n");
    assert.throws(() => renderPlatform(acmePlan("minimal"), inputs({ templates, roles: readAgentRoles() })), {
      message: `templates/${name}:${at + 1}: missing variable "platform.domian"`,
    });
  });
});
