/**
 * Issue 15 (one source for `cto up` and `cto render`): the objects the components build in code
 * rather than from `platform/objects/` — the cert-manager ClusterIssuer and the
 * `cto-restrict-ingress` NetworkPolicies of the security feature, the webhooks Ingress, and the
 * Namespaces with their Pod Security labels — are in `cto render`'s output, equal to what `cto up` creates (the
 * resources recorded under Pulumi mocks), compared as objects.
 *
 * The rendered files are read as any GitOps tool would, every YAML document of every file, so an
 * object missing from the output, written twice, or differing in any field fails here. In the
 * `manifests` format the ClusterIssuer and the platform objects carry Argo CD's sync options, with
 * a wave after the Applications of the charts that serve their kinds (their CRDs first); nothing
 * else differs. Also: the monitoring Application syncs before every chart creating ServiceMonitors
 * (as `cto up` installs monitoring first), the registry pull secret's ExternalSecret builds the
 * document `cto up` creates from the password alone, and both formats write the Namespaces.
 */
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { loadCatalog } from "../../profiles/load.js";
import type { Plan } from "../../profiles/plan.js";
import { renderPlatform } from "../../templates/render.js";
import { renderFiles, type RenderFormat } from "../../templates/to-directory.js";
import { ACME_PROFILES } from "../golden/acme-plans.js";
import { publicWebhookUrl } from "../../profiles/webhooks.js";
import { acme, acmeSecrets, buildUnderMocks, RANDOM_STORE } from "./fixtures.js";
import { stripSecrets, type RecordedResource } from "./harness.js";

type KubeObject = { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<string, unknown>;

/** The Pulumi type `cto up` creates each kind as. */
const TYPES = {
  ClusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
  NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  Namespace: "kubernetes:core/v1:Namespace",
  Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  Deployment: "kubernetes:apps/v1:Deployment",
} as const;
type Kind = keyof typeof TYPES;

const SKIP_AWAIT = "pulumi.com/skipAwait";
const WAVE = "argocd.argoproj.io/sync-wave";
const SYNC_OPTIONS = "argocd.argoproj.io/sync-options";

const id = (o: KubeObject) =>
  `${o.kind}/${(o.metadata.namespace as string | undefined) ?? ""}/${o.metadata.name as string}`;
const byId = (list: KubeObject[]) => [...list].sort((a, b) => id(a).localeCompare(id(b)));

/** Every object of a kind in the rendered files, with the file it is in. */
function renderedObjects(plan: Plan, format: RenderFormat): { file: string; object: KubeObject }[] {
  const values = renderPlatform(plan, { env: {}, randomStore: { ...RANDOM_STORE } });
  const files = renderFiles(plan, values, { format, secretStore: "acme-vault" });
  return Object.entries(files)
    .filter(([file]) => file.endsWith(".yaml"))
    .flatMap(([file, text]) =>
      parseAllDocuments(text)
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => !!o && typeof o.kind === "string")
        .map((object) => ({ file, object })),
    );
}

/** What `cto up` gave each resource of a kind, in the object's own shape. */
function upObjects(recorded: RecordedResource[], kind: Kind): KubeObject[] {
  return recorded
    .filter((r) => r.type === TYPES[kind])
    .map((r) => {
      const inputs = stripSecrets(r.inputs) as Record<string, unknown>;
      return { ...inputs, apiVersion: inputs.apiVersion as string, kind } as KubeObject;
    });
}

/** The object without the named annotations (and without `annotations` when none is left). */
function without(object: KubeObject, ...keys: string[]): KubeObject {
  const annotations = { ...((object.metadata.annotations as Record<string, string> | undefined) ?? {}) };
  for (const key of keys) delete annotations[key];
  const { annotations: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
}
const withoutArgoCd = (object: KubeObject) => without(object, WAVE, SYNC_OPTIONS);

interface Variant {
  name: string;
  plan: () => Plan;
  issuer: "acme" | "selfSigned" | null;
  policies: number;
  /** Whether the webhooks Ingress is made (a domain and an ingress controller). */
  ingress: boolean;
}

const VARIANTS: Variant[] = [
  {
    name: "production (nginx, a domain: ACME)",
    plan: () => acme("production"),
    issuer: "acme",
    policies: 3,
    ingress: true,
  },
  {
    name: "production with traefik",
    plan: () => acme("production", (p) => void (p.platform.ingressType = "traefik")),
    issuer: "acme",
    policies: 3,
    ingress: true,
  },
  {
    name: "production without a domain (self-signed)",
    plan: () => acme("production", (p) => void delete p.platform.domain),
    issuer: "selfSigned",
    policies: 3,
    ingress: false,
  },
  { name: "standard (security off)", plan: () => acme("standard"), issuer: null, policies: 0, ingress: true },
  {
    name: "minimal, ingress_type none",
    plan: () => acme("minimal", (p) => void (p.platform.ingressType = "none")),
    issuer: null,
    policies: 0,
    ingress: false,
  },
];

describe("cto render holds the objects cto up builds in code: ClusterIssuer, NetworkPolicies, Ingress, Namespaces (mocks)", function () {
  this.timeout(120_000);

  for (const variant of VARIANTS) {
    for (const format of ["manifests", "helm-values"] as const) {
      it(`${variant.name}, ${format}: the ClusterIssuer, NetworkPolicies and webhooks Ingress equal what cto up creates`, async () => {
        const plan = variant.plan();
        const { recorded } = await buildUnderMocks(plan);
        const rendered = renderedObjects(plan, format);
        const ofKind = (kind: Kind) => rendered.filter((r) => r.object.kind === kind);

        const upIssuers = upObjects(recorded, "ClusterIssuer");
        const renderedIssuers = ofKind("ClusterIssuer");
        assert.equal(upIssuers.length, variant.issuer ? 1 : 0, "cto up's ClusterIssuers");
        assert.deepEqual(
          renderedIssuers.map((r) => withoutArgoCd(r.object)),
          upIssuers,
          "the rendered ClusterIssuer is the one cto up creates",
        );
        if (variant.issuer) {
          const spec = upIssuers[0]!.spec as Record<string, unknown>;
          assert.ok(variant.issuer in spec, `a ${variant.issuer} issuer: ${JSON.stringify(spec)}`);
          // Every Ingress names this issuer.
          assert.equal(upIssuers[0]!.metadata.name, "cto-cluster-issuer");
        }

        const upPolicies = byId(upObjects(recorded, "NetworkPolicy"));
        assert.equal(upPolicies.length, variant.policies, "cto up's NetworkPolicies");
        assert.deepEqual(byId(ofKind("NetworkPolicy").map((r) => r.object)), upPolicies);
        // One file per object: the three policies share a name, in different namespaces.
        assert.equal(new Set(ofKind("NetworkPolicy").map((r) => r.file)).size, variant.policies);

        // The webhooks Ingress: the same, but for Pulumi's own await annotation.
        const upIngresses = upObjects(recorded, "Ingress").map((o) => without(o, SKIP_AWAIT));
        assert.equal(upIngresses.length, variant.ingress ? 1 : 0, "cto up's Ingresses");
        assert.deepEqual(
          ofKind("Ingress").map((r) => r.object),
          upIngresses,
        );
      });
    }
  }

  it("manifests: the ClusterIssuer syncs after the cert-manager Application (its CRDs), and skips the dry run before them", () => {
    const rendered = renderedObjects(acme("production"), "manifests");
    const issuer = rendered.find((r) => r.object.kind === "ClusterIssuer")!.object;
    const certManager = rendered.find(
      (r) => r.object.kind === "Application" && r.object.metadata.name === "cert-manager",
    );
    assert.ok(certManager, "the cert-manager Application");
    const annotations = issuer.metadata.annotations as Record<string, string>;
    const appWave = Number((certManager.object.metadata.annotations as Record<string, string>)[WAVE]);
    assert.ok(Number.isInteger(appWave), "the Application has a wave");
    assert.equal(Number(annotations[WAVE]), appWave + 1);
    assert.match(annotations[SYNC_OPTIONS]!, /SkipDryRunOnMissingResource=true/);
    // No Application other than cert-manager's is in the issuer's wave or between: nothing waits on it.
    const waves = rendered
      .filter((r) => r.object.kind === "Application")
      .map((r) => Number((r.object.metadata.annotations as Record<string, string>)[WAVE]));
    assert.ok(!waves.includes(appWave + 1), `waves ${waves.join(", ")}`);
  });

  /** The waves of the Applications of a manifests render, by component. */
  const applicationWaves = (rendered: { object: KubeObject }[]) =>
    Object.fromEntries(
      rendered
        .filter((r) => r.object.kind === "Application")
        .map((r) => [
          r.object.metadata.name as string,
          Number((r.object.metadata.annotations as Record<string, string>)[WAVE]),
        ]),
    );
  const ARGO_KINDS = ["EventBus", "EventSource", "Sensor", "WorkflowTemplate"];

  for (const profile of ACME_PROFILES) {
    it(`${profile}, manifests: the platform objects sync after the Argo Workflows and Argo Events Applications (their CRDs), the Argo kinds skipping the dry run before them`, () => {
      const rendered = renderedObjects(acme(profile), "manifests");
      const apps = applicationWaves(rendered);
      assert.ok(
        Number.isInteger(apps["argo-workflows"]) && Number.isInteger(apps["argo-events"]),
        JSON.stringify(apps),
      );
      const platform = rendered.filter((r) => r.file.startsWith("platform/"));
      assert.deepEqual(
        [...new Set(platform.map((r) => r.object.kind))].filter((k) => ARGO_KINDS.includes(k)).sort(),
        ARGO_KINDS,
        "the Argo objects are there",
      );
      const waves = new Set<number>();
      for (const { file, object } of platform) {
        const annotations = (object.metadata.annotations ?? {}) as Record<string, string>;
        const wave = Number(annotations[WAVE]);
        assert.ok(Number.isInteger(wave), `${file}: a sync wave`);
        waves.add(wave);
        assert.ok(
          wave > apps["argo-workflows"]! && wave > apps["argo-events"]!,
          `${file}: wave ${wave} after ${JSON.stringify(apps)}`,
        );
        if (ARGO_KINDS.includes(object.kind)) {
          assert.equal(annotations[SYNC_OPTIONS], "SkipDryRunOnMissingResource=true", file);
        } else {
          assert.equal(annotations[SYNC_OPTIONS], undefined, `${file}: its kind is served without a chart`);
        }
      }
      // One wave for the whole platform (the Sensors' RBAC with the Sensors), not before the controller's place.
      assert.equal(waves.size, 1, `waves ${[...waves].join(", ")}`);
      const controller = acme(profile).components.find((c) => c.name === "controller")!;
      assert.ok([...waves][0]! >= controller.installOrder);
    });
  }

  it("manifests: the platform objects' wave follows the Argo charts' install order (one source for the waves)", () => {
    const plan = acme("standard", (p) => {
      for (const c of p.components) if (c.name === "argo-events") c.installOrder = 45;
    });
    const rendered = renderedObjects(plan, "manifests");
    assert.equal(applicationWaves(rendered)["argo-events"], 45);
    const sensor = rendered.find((r) => r.object.kind === "Sensor")!.object;
    const deployment = rendered.find((r) => r.object.kind === "Deployment" && r.file.startsWith("platform/"))!.object;
    assert.equal((sensor.metadata.annotations as Record<string, string>)[WAVE], "46");
    assert.equal((deployment.metadata.annotations as Record<string, string>)[WAVE], "46");
  });

  /** Whether chart values turn on a ServiceMonitor or PodMonitor (objects of monitoring's CRDs). */
  const createsMonitors = (values: unknown): boolean => {
    if (!values || typeof values !== "object") return false;
    return Object.entries(values as Record<string, unknown>).some(
      ([key, value]) =>
        (/^(servicemonitor|podmonitor)$/i.test(key) &&
          !!value &&
          typeof value === "object" &&
          (value as Record<string, unknown>).enabled === true) ||
        (/^(serviceMonitor|podMonitor)Enabled$/.test(key) && value === true) ||
        createsMonitors(value),
    );
  };

  for (const profile of ["standard", "production"] as const) {
    it(`${profile}, manifests (install orders of the shipped profile): the monitoring Application syncs before every chart that creates ServiceMonitors or PodMonitors, as cto up installs it first`, async () => {
      // The shipped profile's install orders, not the hand-written plan's.
      const shipped = (await loadCatalog()).profiles[profile]!.components;
      const plan = acme(profile, (p) => {
        for (const c of p.components) c.installOrder = shipped.find((s) => s.name === c.name)!.install_order;
      });
      const apps = renderedObjects(plan, "manifests").filter((r) => r.object.kind === "Application");
      const wave = (name: string) =>
        Number(
          (apps.find((a) => a.object.metadata.name === name)!.object.metadata.annotations as Record<string, string>)[
            WAVE
          ],
        );
      const monitored = apps
        .filter((a) => a.object.metadata.name !== "monitoring")
        .filter((a) =>
          createsMonitors(((a.object.spec as Record<string, unknown>).source as Record<string, unknown>).helm),
        )
        .map((a) => a.object.metadata.name as string)
        .sort();
      // The Argo charts skip their monitors while monitoring.coreos.com/v1 is not served: never created if first.
      for (const name of ["argo-cd", "argo-events", "argo-workflows", "logging", "postgres-operator"]) {
        assert.ok(monitored.includes(name), `${name} creates monitors: ${monitored.join(", ")}`);
      }
      for (const name of monitored) {
        assert.ok(
          wave("monitoring") < wave(name),
          `monitoring (wave ${wave("monitoring")}) before ${name} (${wave(name)})`,
        );
      }
    });
  }

  it("helm-values: the platform objects carry no Argo CD annotation", () => {
    const platform = renderedObjects(acme("standard"), "helm-values").filter((r) => r.file.startsWith("platform/"));
    assert.ok(platform.length > 10);
    for (const { file, object } of platform) assert.equal(object.metadata.annotations, undefined, file);
  });

  it("helm-values: the ClusterIssuer carries no Argo CD annotation (there is no Argo CD Application here)", () => {
    const issuer = renderedObjects(acme("production"), "helm-values").find((r) => r.object.kind === "ClusterIssuer");
    assert.ok(issuer, "the ClusterIssuer is written");
    assert.equal(issuer.object.metadata.annotations, undefined);
  });

  it("registry pull secret, manifests: the store holds only registry.password; the ExternalSecret's template builds the .dockerconfigjson cto up creates, and the README says so", async () => {
    const plan = acme("minimal");
    const secrets = acmeSecrets(plan);
    const { recorded } = await buildUnderMocks(plan, secrets);
    const upSecret = recorded.find(
      (r) =>
        r.type === "kubernetes:core/v1:Secret" &&
        (r.inputs.metadata as { name?: string })?.name === "cto-registry-credentials",
    );
    assert.ok(upSecret, "cto up's pull secret");
    const upDoc = (stripSecrets(upSecret.inputs) as { stringData: Record<string, string> }).stringData[
      ".dockerconfigjson"
    ]!;

    const values = renderPlatform(plan, { env: {}, randomStore: { ...RANDOM_STORE } });
    const files = renderFiles(plan, values, { format: "manifests", secretStore: "acme-vault" });
    const external = parse(files["external-secrets/cto-registry-credentials.yaml"]!) as {
      spec: {
        data: { secretKey: string; remoteRef: { key: string; property: string } }[];
        target: { template: { type: string; engineVersion: string; data: Record<string, string> } };
      };
    };
    // The store's entry holds the password alone, as the stack holds registry.password.
    assert.deepEqual(external.spec.data, [
      { secretKey: "password", remoteRef: { key: "acme-platform/dev/cto-registry-credentials", property: "password" } },
    ]);
    assert.equal(external.spec.target.template.type, "kubernetes.io/dockerconfigjson");
    assert.equal(external.spec.target.template.engineVersion, "v2");
    // The template, given the password cto up was given, gives cto up's document.
    const fetched = { password: secrets["registry.password"]! };
    const built = evalGoTemplate(external.spec.target.template.data[".dockerconfigjson"]!, fetched);
    assert.deepEqual(JSON.parse(built), JSON.parse(upDoc));
    // A user name or password with quotes or backslashes cannot break the template.
    const tricky = acme("minimal", (p) => void (p.registry.username = 'de"p\\loy'));
    const trickyFiles = renderFiles(tricky, renderPlatform(tricky, { env: {}, randomStore: { ...RANDOM_STORE } }), {
      format: "manifests",
      secretStore: "acme-vault",
    });
    const trickyTemplate = (parse(trickyFiles["external-secrets/cto-registry-credentials.yaml"]!) as typeof external)
      .spec.target.template.data[".dockerconfigjson"]!;
    assert.deepEqual(JSON.parse(evalGoTemplate(trickyTemplate, { password: 'p"w' })), {
      auths: {
        "registry.acme.example": {
          username: 'de"p\\loy',
          password: 'p"w',
          auth: Buffer.from('de"p\\loy:p"w').toString("base64"),
        },
      },
    });

    const readme = files["README.md"]!;
    assert.match(readme, /`cto-registry-credentials` \| `cto` \| `\.dockerconfigjson` ← registry\.password/);
    assert.match(
      readme,
      /holds only the password: property `password` of `acme-platform\/dev\/cto-registry-credentials`/,
    );
  });

  for (const registry of [
    { type: "local", hasCredentials: true },
    { type: "local", hasCredentials: false },
    { type: "ghcr", hasCredentials: true },
  ] as const) {
    it(`registry ${registry.type} ${registry.hasCredentials ? "with" : "without"} credentials: cto up creates the pull secret exactly when cto render writes its ExternalSecret`, async () => {
      const plan = acme("minimal", (p) => {
        p.registry = { ...p.registry, type: registry.type, hasCredentials: registry.hasCredentials };
      });
      const secrets = acmeSecrets(plan);
      if (!registry.hasCredentials) delete secrets["registry.password"];
      const { recorded } = await buildUnderMocks(plan, secrets);
      const upHas = recorded.some(
        (r) =>
          r.type === "kubernetes:core/v1:Secret" &&
          (r.inputs.metadata as { name?: string })?.name === "cto-registry-credentials",
      );
      const files = renderFiles(plan, renderPlatform(plan, { env: {}, randomStore: { ...RANDOM_STORE } }), {
        format: "manifests",
        secretStore: "acme-vault",
      });
      const renderHas = "external-secrets/cto-registry-credentials.yaml" in files;
      assert.equal(upHas, registry.hasCredentials, "cto up makes the pull secret when the registry has credentials");
      assert.equal(renderHas, upHas, "cto render writes it exactly when cto up makes it");
    });
  }

  for (const tunnel of [
    { provider: "cloudflare", url: "https://hooks.acme.example" },
    { provider: "smee", url: "https://smee.io/acme" },
  ] as const) {
    it(`tunnel ${tunnel.provider}: the relay's Deployment in tunnel/ is the one cto up creates`, async () => {
      // acme on a cluster without a domain (no ingress controller), as the resolver makes it.
      const plan = acme("minimal", (p) => {
        delete p.platform.domain;
        p.components = p.components.filter((c) => c.name !== "ingress-nginx");
        p.github.tunnel = { ...tunnel };
        p.github.webhookUrl = publicWebhookUrl({ tunnel, domain: undefined, ingressType: p.platform.ingressType });
      });
      const secrets = { ...acmeSecrets(plan), "github.tunnel.token": "tunnel-token" };
      const { recorded } = await buildUnderMocks(plan, secrets);
      const up = recorded.filter((r) => r.type === TYPES.Deployment && r.parent === "tunnel");
      assert.equal(up.length, 1, "cto up's relay");
      for (const format of ["manifests", "helm-values"] as const) {
        const rendered = renderedObjects(plan, format).filter((r) => r.file.startsWith("tunnel/"));
        assert.deepEqual(
          rendered.map((r) => r.object),
          upObjects(up, "Deployment"),
          format,
        );
      }
    });
  }

  for (const profile of ACME_PROFILES) {
    it(`${profile}, both formats: namespaces.yaml holds the Namespaces cto up creates, Pod Security labels included`, async () => {
      const plan = acme(profile);
      const { recorded } = await buildUnderMocks(plan);
      const up = byId(upObjects(recorded, "Namespace"));
      assert.ok(up.length >= 3, `cto up's Namespaces: ${up.map(id).join(", ")}`);
      for (const format of ["manifests", "helm-values"] as const) {
        const rendered = renderedObjects(plan, format).filter((r) => r.object.kind === "Namespace");
        assert.deepEqual(
          rendered.map((r) => r.file),
          rendered.map(() => "namespaces.yaml"),
          format,
        );
        assert.deepEqual(byId(rendered.map((r) => r.object)), up, format);
        // Every namespace a chart installs into is one of them (no chart creates its own, unlabelled).
        const names = new Set(rendered.map((r) => r.object.metadata.name));
        for (const c of plan.components) assert.ok(names.has(c.namespace), `${format}: ${c.name} in ${c.namespace}`);
      }
    });
  }
});

/**
 * Evaluates the few Go template forms the pull secret's External Secrets template uses, with the
 * meaning Go's text/template and Sprig give them: `{{ PIPELINE }}`, string literals, `.name` (a
 * fetched property), parentheses, `|` (the value becomes the last argument), `dict k v ...` (a map),
 * `printf` with `%s`, `b64enc` (standard base64) and `toJson` (JSON, keys sorted as Go's encoder sorts
 * a map's). Anything else is an error, so the test cannot pass on a template it does not understand.
 */
function evalGoTemplate(template: string, data: Record<string, string>): string {
  const outer = /^\{\{(.*)\}\}$/s.exec(template);
  assert.ok(outer, `one action: ${template}`);
  const tokens = outer[1]!.match(/"(?:[^"\\]|\\.)*"|\.[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|[()|]/g) ?? [];
  assert.equal(tokens.join("").replace(/\s/g, ""), outer[1]!.replace(/\s/g, ""), "every character is a token");
  let at = 0;
  const sortKeys = (v: unknown): unknown =>
    v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;
  const call = (name: string, args: unknown[]): unknown => {
    switch (name) {
      case "dict": {
        assert.equal(args.length % 2, 0, "dict takes pairs");
        const map: Record<string, unknown> = {};
        for (let i = 0; i < args.length; i += 2) map[args[i] as string] = args[i + 1];
        return map;
      }
      case "printf": {
        let i = 1;
        return (args[0] as string).replace(/%s/g, () => String(args[i++]));
      }
      case "b64enc":
        return Buffer.from(args[0] as string).toString("base64");
      case "toJson":
        return JSON.stringify(sortKeys(args[0]));
      default:
        throw new Error(`unknown function ${name}`);
    }
  };
  const operand = (): unknown => {
    const token = tokens[at++]!;
    if (token === "(") {
      const value = pipeline();
      assert.equal(tokens[at++], ")");
      return value;
    }
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (token.startsWith(".")) {
      const value = data[token.slice(1)];
      assert.ok(value !== undefined, `no property ${token}`);
      return value;
    }
    return { fn: token };
  };
  const command = (): unknown => {
    const first = operand();
    const args: unknown[] = [];
    while (at < tokens.length && tokens[at] !== ")" && tokens[at] !== "|") args.push(operand());
    if (first && typeof first === "object" && "fn" in first) return call((first as { fn: string }).fn, args);
    assert.equal(args.length, 0, "a value takes no arguments");
    return first;
  };
  const pipeline = (): unknown => {
    let value = command();
    while (tokens[at] === "|") {
      at++;
      const name = tokens[at++]!;
      const args: unknown[] = [];
      while (at < tokens.length && tokens[at] !== ")" && tokens[at] !== "|") args.push(operand());
      value = call(name, [...args, value]);
    }
    return value;
  };
  const result = pipeline();
  assert.equal(at, tokens.length, "the whole action is read");
  return result as string;
}
