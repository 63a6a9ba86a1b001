/**
 * The platform's own objects under Pulumi mocks: the Controller component creates exactly what
 * `templates/platform/objects` renders (type, name, inputs, provider, ordering), per profile,
 * agent set and registry setting, and `cto render` writes the same objects.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { loadCatalog } from "../../profiles/load.js";
import type { Plan } from "../../profiles/plan.js";
import { providerObject, SKIP_AWAIT } from "../../components/platform-objects.js";
import type { PlatformObject } from "../../templates/platform-objects.js";
import { renderPlatform } from "../../templates/render.js";
import { platformObjectFile, renderFiles } from "../../templates/to-directory.js";
import { ACME_PROFILES } from "../golden/acme-plans.js";
import { acme, buildUnderMocks, RANDOM_STORE } from "./fixtures.js";
import { find, stripSecrets, type RecordedResource } from "./harness.js";

/** The Pulumi type each kind is created as. */
const TYPES: Record<string, string> = {
  CustomResourceDefinition: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
  ServiceAccount: "kubernetes:core/v1:ServiceAccount",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  Service: "kubernetes:core/v1:Service",
  Deployment: "kubernetes:apps/v1:Deployment",
  Role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  RoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  WorkflowTemplate: "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
  EventBus: "kubernetes:argoproj.io/v1alpha1:EventBus",
  EventSource: "kubernetes:argoproj.io/v1alpha1:EventSource",
  Sensor: "kubernetes:argoproj.io/v1alpha1:Sensor",
};

const rendered = (plan: Plan) => renderPlatform(plan, { env: {}, randomStore: { ...RANDOM_STORE } }).platformObjects;
const resourceName = (o: PlatformObject) => `controller-${o.kind.toLowerCase()}-${o.metadata.name}`;
/** What the object's resource was given, in the object's own shape. */
const asObject = (r: RecordedResource, o: PlatformObject) =>
  stripSecrets({ apiVersion: o.apiVersion, kind: o.kind, ...r.inputs }) as Record<string, unknown>;

async function publisherPlan(profile: (typeof ACME_PROFILES)[number]): Promise<Plan> {
  const catalog = await loadCatalog();
  const pins = catalog.releases[catalog.latestRelease]!.images;
  return acme(profile, (p) => {
    p.images = {
      source: "publisher",
      controller: { ...pins.controller },
      agents: structuredClone(pins.agents),
      pullSecret: false,
    };
  });
}

describe("the platform's own objects (mocks)", function () {
  this.timeout(120_000);

  for (const profile of ACME_PROFILES) {
    it(`${profile}: every rendered object is created once, with its type, name, inputs and the cluster provider`, async () => {
      const plan = acme(profile);
      const objects = rendered(plan);
      const { recorded } = await buildUnderMocks(plan);
      const mine = recorded.filter(
        (r) => r.parent === "controller" && r.custom && r.type !== "kubernetes:core/v1:Secret",
      );
      assert.deepEqual(mine.map((r) => r.name).sort(), objects.map(resourceName).sort());
      for (const object of objects) {
        const r = find(recorded, TYPES[object.kind] ?? "?", resourceName(object));
        // As rendered, plus the provider-only skipAwait annotation on Services (see the next test).
        assert.deepEqual(asObject(r, object), providerObject(object), resourceName(object));
        assert.equal(r.provider, "cluster-provider");
      }
      assert.equal(
        recorded.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.parent === "controller").length,
        0,
        "no controller chart",
      );
    });
  }

  it("CRDs and set-up objects need only the namespace; the Deployment and Argo objects wait for them, Argo Workflows and Events (not Argo CD), the GitHub Secrets and the pull secret", async () => {
    const plan = acme("minimal");
    const objects = rendered(plan);
    const { recorded } = await buildUnderMocks(plan);
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition").map(resourceName);
    assert.equal(crds.length, 2);
    const setupKinds = ["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Service"];
    const setup = objects.filter((o) => setupKinds.includes(o.kind));
    assert.ok(setup.length >= 8, "accounts, permissions, configuration and the Service");
    for (const object of [...objects.filter((o) => o.kind === "CustomResourceDefinition"), ...setup])
      assert.deepEqual(find(recorded, TYPES[object.kind]!, resourceName(object)).dependsOn, ["base-ns-cto"]);
    const rest = objects.filter((o) => o.kind !== "CustomResourceDefinition" && !setupKinds.includes(o.kind));
    assert.deepEqual([...new Set(rest.map((o) => o.kind))].sort(), [
      "Deployment",
      "EventBus",
      "EventSource",
      "Sensor",
      "WorkflowTemplate",
    ]);
    for (const object of rest) {
      const deps = find(recorded, TYPES[object.kind]!, resourceName(object)).dependsOn;
      for (const needed of [
        ...crds,
        ...setup.map(resourceName),
        "base-ns-cto",
        "argo-argo-events",
        "argo-argo-workflows",
        "github-github-app-rex",
        "registry-pull-secret",
        "controller-agent-api-keys",
      ]) {
        assert.ok(deps.includes(needed), `${resourceName(object)} after ${needed}`);
      }
      assert.ok(!deps.includes("argo-argo-cd"), `${resourceName(object)} does not wait for Argo CD`);
    }
  });

  it("Services are not awaited by the provider (their Deployment is); cto render leaves that annotation out", async () => {
    const plan = acme("minimal");
    const { recorded } = await buildUnderMocks(plan);
    const services = rendered(plan).filter((o) => o.kind === "Service");
    assert.ok(services.length > 0);
    for (const object of services) {
      assert.equal(object.metadata.annotations?.[SKIP_AWAIT], undefined, "not in the rendered object");
      const inputs = find(recorded, TYPES.Service!, resourceName(object)).inputs as {
        metadata: { annotations?: Record<string, string> };
      };
      assert.equal(inputs.metadata.annotations?.[SKIP_AWAIT], "true", resourceName(object));
    }
    for (const r of recorded.filter((r) => r.parent === "controller" && r.type !== TYPES.Service)) {
      const annotations = (r.inputs.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
      assert.equal(annotations?.[SKIP_AWAIT], undefined, `${r.name} is awaited`);
    }
  });

  it("the agent set decides the Sensors and EventSource endpoints", async () => {
    const three = await buildUnderMocks(acme("standard"));
    const sensors = (b: { recorded: RecordedResource[] }) =>
      b.recorded
        .filter((r) => r.type === TYPES.Sensor)
        .map((r) => r.name)
        .sort();
    assert.deepEqual(sensors(three), [
      "controller-sensor-cto-cleo",
      "controller-sensor-cto-rex",
      "controller-sensor-cto-tess",
    ]);
    const one = await buildUnderMocks(acme("standard", (p) => (p.agents = p.agents.filter((a) => a.name === "rex"))));
    assert.deepEqual(sensors(one), ["controller-sensor-cto-rex"]);
    const source = find(one.recorded, TYPES.EventSource!, "controller-eventsource-cto-github");
    assert.deepEqual(Object.keys((source.inputs.spec as { github: object }).github), ["rex"]);
  });

  it("registry: the publisher's pins by default, a mirror relocates them, a private mirror adds its pull secret", async () => {
    const catalog = await loadCatalog();
    const pins = catalog.releases[catalog.latestRelease]!.images;
    const podOf = (recorded: RecordedResource[]) =>
      (
        find(recorded, TYPES.Deployment!, "controller-deployment-cto-controller").inputs.spec as {
          template: { spec: { containers: { image: string }[]; imagePullSecrets?: { name: string }[] } };
        }
      ).template.spec;

    const publisher = podOf((await buildUnderMocks(await publisherPlan("minimal"))).recorded);
    assert.equal(
      publisher.containers[0]!.image,
      `${pins.controller.registry}/${pins.controller.repository}:${pins.controller.tag}`,
    );
    assert.equal(publisher.imagePullSecrets, undefined);

    const privateMirror = podOf((await buildUnderMocks(acme("minimal"))).recorded);
    assert.equal(
      privateMirror.containers[0]!.image,
      `registry.acme.example/platform/controller:${pins.controller.tag}`,
    );
    assert.deepEqual(privateMirror.imagePullSecrets, [{ name: "cto-registry-credentials" }]);

    const openMirror = acme("minimal", (p) => {
      p.registry.hasCredentials = false;
      p.secretNames = p.secretNames.filter((n) => n !== "registry.password");
      p.images.pullSecret = false;
    });
    const open = podOf((await buildUnderMocks(openMirror)).recorded);
    assert.equal(open.containers[0]!.image, `registry.acme.example/platform/controller:${pins.controller.tag}`);
    assert.equal(open.imagePullSecrets, undefined);
  });

  it("cto render writes the same objects cto up creates", async () => {
    const plan = acme("standard");
    const values = renderPlatform(plan, { env: {}, randomStore: { ...RANDOM_STORE } });
    const files = renderFiles(plan, values, { format: "manifests", secretStore: "acme-vault" });
    const { recorded } = await buildUnderMocks(plan);
    for (const object of values.platformObjects) {
      const fromFile = parse(files[platformObjectFile(object)]!) as PlatformObject;
      // Argo CD's sync annotations are the file's own (test/components/render-objects.test.ts); all else is up's.
      const annotations = { ...fromFile.metadata.annotations };
      delete annotations["argocd.argoproj.io/sync-wave"];
      delete annotations["argocd.argoproj.io/sync-options"];
      const { annotations: _argoCd, ...metadata } = fromFile.metadata;
      const synced = {
        ...fromFile,
        metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata,
      };
      const fromUp = asObject(find(recorded, TYPES[object.kind]!, resourceName(object)), object);
      // Up adds the provider-only skipAwait annotation to Services; the file never has it.
      assert.deepEqual(providerObject(synced), fromUp, platformObjectFile(object));
      assert.equal(fromFile.metadata.annotations?.[SKIP_AWAIT], undefined, platformObjectFile(object));
    }
  });

  it("a controller chart in the plan is installed instead of the objects", async () => {
    const plan = acme("minimal", (p) => {
      p.components.find((c) => c.name === "controller")!.chart = {
        repository: "oci://registry.acme.example/charts",
        chart: "controller",
        version: "1.2.3",
      };
    });
    const { recorded } = await buildUnderMocks(plan);
    const release = find(recorded, "kubernetes:helm.sh/v3:Release", "controller-controller");
    assert.equal(release.inputs.chart, "oci://registry.acme.example/charts/controller");
    assert.equal(recorded.filter((r) => r.type === TYPES.Sensor || r.type === TYPES.EventSource).length, 0);
  });
});
