/**
 * The platform's own objects (templates/platform/objects): what is rendered for a plan, the
 * images they run, the event wiring per agent, the strict shape checks of the Argo Events objects
 * (whose CRDs accept anything), and `cto render` writing the very same list.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { UserError } from "../../config/errors.js";
import { loadCatalog } from "../../profiles/load.js";
import type { Plan } from "../../profiles/plan.js";
import { agentWebhookPath } from "../../profiles/webhooks.js";
import { objectProblems, type PlatformObject } from "../../templates/platform-objects.js";
import { githubAppSlug, renderPlatform } from "../../templates/render.js";
import { platformObjectFile, renderFiles } from "../../templates/to-directory.js";
import { acmePlan as goldenPlan, type AcmeProfile } from "../golden/acme-plans.js";

/** A copy: the golden plans share their component objects, and some tests change them. */
const acmePlan = (profile: AcmeProfile): Plan => structuredClone(goldenPlan(profile));

const RANDOM = { "installation-id": "abcdefabcdef" };
const render = (plan: Plan) => renderPlatform(plan, { env: {}, randomStore: { ...RANDOM } });
const find = (objects: PlatformObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} is rendered`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read deep into rendered YAML
  return found as PlatformObject & Record<string, any>;
};
const ids = (objects: PlatformObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe("platform objects", () => {
  it("minimal: CRDs first, the controller, the WorkflowTemplate, then the event wiring, all in the platform namespace", () => {
    const { platformObjects: objects } = render(acmePlan("minimal"));
    assert.deepEqual(ids(objects), [
      "CustomResourceDefinition/coderuns.agents.platform",
      "CustomResourceDefinition/docsruns.agents.platform",
      "ServiceAccount/cto-controller",
      "Role/cto-controller",
      "RoleBinding/cto-controller",
      "ConfigMap/cto-config",
      "ConfigMap/cto-controller-config",
      "ConfigMap/cto-agents",
      "Deployment/cto-controller",
      "Service/cto-controller",
      "ServiceAccount/cto-workflow",
      "Role/cto-workflow",
      "RoleBinding/cto-workflow",
      "WorkflowTemplate/cto-agent-run",
      "EventBus/default",
      "EventSource/cto-github",
      "ServiceAccount/cto-sensor",
      "Role/cto-sensor",
      "RoleBinding/cto-sensor",
      "Sensor/cto-rex",
    ]);
    for (const o of objects.filter((o) => o.kind !== "CustomResourceDefinition")) {
      assert.equal(o.metadata.namespace, "cto", `${o.kind}/${o.metadata.name}`);
    }
    for (const o of objects) assert.equal(o.metadata.labels?.["app.kubernetes.io/managed-by"], "cto");
    const crd = find(objects, "CustomResourceDefinition", "coderuns.agents.platform");
    assert.equal(crd.spec.group, "agents.platform");
    assert.equal(crd.spec.names.kind, "CodeRun");
    assert.deepEqual(
      crd.spec.versions.map((v: { name: string; served: boolean; storage: boolean }) => [v.name, v.served, v.storage]),
      [["v1", true, true]],
    );
  });

  it("the controller runs the pinned image with its configuration mounted; acme's mirror brings the pull secret", () => {
    const plan = acmePlan("minimal");
    const { platformObjects: objects } = render(plan);
    const deployment = find(objects, "Deployment", "cto-controller");
    const pod = deployment.spec.template.spec;
    assert.equal(pod.containers[0].image, "registry.acme.example/platform/controller:v0.2.50");
    assert.deepEqual(pod.imagePullSecrets, [{ name: "cto-registry-credentials" }]);
    assert.equal(pod.serviceAccountName, "cto-controller");
    assert.deepEqual(
      pod.volumes.map((v: { configMap: { name: string } }) => v.configMap.name),
      ["cto-controller-config", "cto-agents"],
    );
    const config = parse(find(objects, "ConfigMap", "cto-controller-config").data["config.yaml"]);
    assert.deepEqual(config.agent.cliImages.claude, {
      repository: "registry.acme.example/platform/claude",
      tag: "v2.1.54",
    });
    assert.deepEqual(config.agent.imagePullSecrets, ["cto-registry-credentials"]);
    assert.deepEqual(config.agents.rex, { githubApp: "acme-rex", cli: "claude", model: null });
    const agents = parse(find(objects, "ConfigMap", "cto-agents").data["agents.yaml"]);
    assert.equal(agents.rex.displayName, "Rex");
    assert.equal(agents.rex.image, "registry.acme.example/platform/claude:v2.1.54");
    assert.deepEqual(agents.rex.githubApp.privateKey, {
      secretKeyRef: { name: "cto-github-app-rex", key: "private-key" },
    });
    assert.deepEqual(agents.rex.resources, { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "4Gi" } });
    assert.ok(!JSON.stringify(objects).includes("secret-value"), "only references to Secrets");
  });

  it("by default the images are the release's pins, with no pull secret", async () => {
    const catalog = await loadCatalog();
    const pins = catalog.releases[catalog.latestRelease]!.images;
    const plan = acmePlan("minimal");
    plan.images = {
      source: "publisher",
      controller: { ...pins.controller },
      agents: Object.fromEntries(Object.entries(pins.agents).map(([cli, pin]) => [cli, { ...pin }])),
      pullSecret: false,
    };
    const { platformObjects: objects, images } = render(plan);
    const pod = find(objects, "Deployment", "cto-controller").spec.template.spec;
    assert.equal(
      pod.containers[0].image,
      `${pins.controller.registry}/${pins.controller.repository}:${pins.controller.tag}`,
    );
    assert.equal(pod.imagePullSecrets, undefined);
    const claude = pins.agents.claude!;
    assert.equal(images["agent-rex"], `${claude.registry}/${claude.repository}:${claude.tag}`);
    for (const ref of Object.values(images)) assert.doesNotMatch(ref, /:latest$/);
  });

  it("an agent whose CLI has no pinned image is refused, naming the agent and the fix", () => {
    const plan = acmePlan("minimal");
    plan.agents[0]!.cli = "gemini";
    assert.throws(
      () => render(plan),
      (e: unknown) =>
        e instanceof UserError &&
        /agent rex runs the gemini CLI, and release 0\.1\.0 pins no image for it/.test(e.message) &&
        /agents\.rex\.cli .* claude, codex/.test(e.hint ?? ""),
    );
  });

  it("one EventSource endpoint per agent at its App webhook path, checked with that App's own webhook secret", () => {
    const plan = acmePlan("standard");
    const { platformObjects: objects, secrets } = render(plan);
    const source = find(objects, "EventSource", "cto-github");
    assert.deepEqual(Object.keys(source.spec.github).sort(), ["cleo", "rex", "tess"]);
    for (const agent of ["cleo", "rex", "tess"]) {
      const entry = source.spec.github[agent];
      assert.equal(entry.webhook.endpoint, agentWebhookPath(plan, agent));
      assert.equal(entry.webhook.port, "12000");
      const own = secrets[`github-app-${agent}`]!;
      assert.deepEqual(entry.webhookSecret, { name: own.name, key: "webhook-secret" });
      assert.equal(own.name, `cto-github-app-${agent}`);
      assert.equal(own.keys["webhook-secret"], `github.apps.${agent}.webhook_secret`);
      assert.deepEqual(entry.organizations, ["acme"]);
    }
    assert.equal(source.spec.github.rex.webhook.endpoint, "/github/rex");
    assert.equal(source.spec.github.rex.webhook.url, "https://webhooks.acme.example");
    assert.deepEqual(source.spec.service.ports, [{ port: 12000, targetPort: 12000 }]);
  });

  it("Sensors follow each agent's role: labels and commands for rex, pull requests and review requests for cleo", () => {
    const { platformObjects: objects } = render(acmePlan("standard"));
    const rex = find(objects, "Sensor", "cto-rex");
    assert.deepEqual(
      rex.spec.dependencies.map((d: { name: string }) => d.name),
      ["labelled", "command"],
    );
    assert.ok(rex.spec.dependencies.every((d: { eventName: string }) => d.eventName === "rex"));
    const label = rex.spec.dependencies[0].filters.data.find((f: { path: string }) => f.path === "body.label.name");
    assert.deepEqual(label.value, ["^cto:rex$"]);
    const command = rex.spec.dependencies[1].filters.data.find((f: { path: string }) => f.path === "body.comment.body");
    assert.ok(new RegExp(command.value[0]).test("/rex fix the failing test"));
    assert.ok(!new RegExp(command.value[0]).test("/rexx go"));

    const cleo = find(objects, "Sensor", "cto-cleo");
    assert.deepEqual(
      cleo.spec.dependencies.map((d: { name: string }) => d.name),
      ["pull-request", "review-requested"],
    );
    const reviewer = cleo.spec.dependencies[1].filters.data[1];
    assert.equal(reviewer.path, "body.requested_reviewer.login");
    assert.ok(new RegExp(reviewer.value[0]).test(`${githubAppSlug("acme-cleo")}[bot]`));
    assert.ok(!new RegExp(reviewer.value[0]).test("acme-tess[bot]"));

    const trigger = rex.spec.triggers[0].template;
    assert.equal(trigger.conditions, "labelled");
    const workflow = trigger.argoWorkflow.source.resource;
    assert.deepEqual(workflow.spec.workflowTemplateRef, { name: "cto-agent-run" });
    const params = workflow.spec.arguments.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(params, ["agent", "github-app", "cli", "model", "run-type", "event", "repository", "number"]);
    const fromEvent = trigger.argoWorkflow.parameters.filter((p: { dest: string }) =>
      p.dest.startsWith("spec.arguments.parameters."),
    );
    assert.deepEqual(
      fromEvent.map((p: { dest: string }) => params[Number(p.dest.split(".")[3])]),
      ["event", "repository", "number"],
    );
    const template = find(objects, "WorkflowTemplate", "cto-agent-run");
    assert.deepEqual(
      template.spec.arguments.parameters.map((p: { name: string }) => p.name),
      params,
      "the Workflow the Sensors submit names the template's parameters",
    );
    const manifest = parse(template.spec.templates[1].resource.manifest.replace(/\{\{[^}]*\}\}/g, "1"));
    assert.equal(manifest.apiVersion, "agents.platform/v1");
    assert.equal(manifest.kind, "CodeRun");
  });

  it("every trigger names its Workflow after the GitHub delivery id, so a delivery sent again runs nothing", () => {
    // Argo Events gives each request a new event id; the API server refuses a second Workflow of
    // the same name (AlreadyExists), which is the platform's deduplication on X-GitHub-Delivery.
    const { platformObjects: objects } = render(acmePlan("standard"));
    const sensors = objects.filter((o) => o.kind === "Sensor").map((o) => find(objects, "Sensor", o.metadata.name));
    assert.ok(sensors.length >= 2);
    for (const sensor of sensors) {
      for (const { template } of sensor.spec.triggers) {
        const resource = template.argoWorkflow.source.resource;
        assert.equal(resource.metadata.name, "github-", `${sensor.metadata.name}/${template.name}`);
        assert.equal(resource.metadata.generateName, undefined, "a generated name would never collide");
        const naming = template.argoWorkflow.parameters.filter((p: { dest: string }) => p.dest === "metadata.name");
        assert.deepEqual(
          naming,
          [
            {
              src: { dependencyName: template.conditions, dataKey: "body.X-GitHub-Delivery" },
              dest: "metadata.name",
              operation: "append",
            },
          ],
          `${sensor.metadata.name}/${template.name}`,
        );
      }
    }
  });

  it("a controller chart configured instead means no built-in objects", () => {
    const plan = acmePlan("minimal");
    const controller = plan.components.find((c) => c.name === "controller")!;
    controller.chart = { repository: "oci://registry.acme.example/charts", chart: "controller", version: "1.2.3" };
    const rendered = render(plan);
    assert.deepEqual(rendered.platformObjects, []);
    assert.ok(rendered.helmValues.controller, "the chart gets its values");
  });

  it("cto render writes the very objects cto up creates, one file each under platform/", () => {
    for (const format of ["helm-values", "manifests"] as const) {
      const plan = acmePlan("standard");
      const rendered = render(plan);
      const files = renderFiles(plan, rendered, { format, secretStore: "acme-vault" });
      const written = Object.keys(files).filter((f) => f.startsWith("platform/"));
      assert.deepEqual(written.sort(), rendered.platformObjects.map(platformObjectFile).sort());
      for (const object of rendered.platformObjects) {
        // `manifests` adds Argo CD's sync annotations (test/components/render-objects.test.ts), nothing else.
        const written = parse(files[platformObjectFile(object)]!) as PlatformObject;
        const annotations = { ...written.metadata.annotations };
        delete annotations["argocd.argoproj.io/sync-wave"];
        delete annotations["argocd.argoproj.io/sync-options"];
        const { annotations: _argoCd, ...metadata } = written.metadata;
        const rest = Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata;
        assert.deepEqual({ ...written, metadata: rest }, object, `${format}: ${platformObjectFile(object)}`);
      }
    }
  });
});

describe("platform object shape checks", () => {
  const rendered = render(acmePlan("standard")).platformObjects;
  const copy = (kind: string, name: string) => structuredClone(find(rendered, kind, name));

  it("every rendered object passes", () => {
    for (const o of rendered) assert.deepEqual(objectProblems(o), [], `${o.kind}/${o.metadata.name}`);
  });

  it("a misspelt EventSource field, both organizations and repositories, an unreachable port", () => {
    const typo = copy("EventSource", "cto-github");
    typo.spec.github.rex.webhok = typo.spec.github.rex.webhook;
    assert.match(objectProblems(typo).join("\n"), /spec\.github\.rex: Unrecognized key.*webhok/);
    const both = copy("EventSource", "cto-github");
    both.spec.github.rex.repositories = [{ owner: "acme", names: ["platform"] }];
    assert.match(objectProblems(both).join("\n"), /exactly one of organizations and repositories/);
    const port = copy("EventSource", "cto-github");
    port.spec.github.rex.webhook.port = "13000";
    assert.match(objectProblems(port).join("\n"), /spec\.github\.rex\.webhook\.port: is not a target port/);
    const same = copy("EventSource", "cto-github");
    same.spec.github.cleo.webhook.endpoint = same.spec.github.rex.webhook.endpoint;
    assert.match(objectProblems(same).join("\n"), /same port and endpoint as/);
  });

  it("a Sensor trigger naming a missing dependency or a parameter the Workflow lacks", () => {
    const missing = copy("Sensor", "cto-rex");
    missing.spec.triggers[0].template.conditions = "labeled";
    assert.match(objectProblems(missing).join("\n"), /conditions: names no dependency "labeled"/);
    const dest = copy("Sensor", "cto-rex");
    dest.spec.triggers[0].template.argoWorkflow.parameters[0].dest = "spec.arguments.parameters.8.value";
    assert.match(objectProblems(dest).join("\n"), /is not a parameter of the submitted Workflow/);
    const none = copy("Sensor", "cto-rex");
    none.spec.dependencies = [];
    assert.match(objectProblems(none).join("\n"), /never fires/);
    const unnamed = copy("Sensor", "cto-rex");
    unnamed.spec.triggers[0].template.argoWorkflow.parameters =
      unnamed.spec.triggers[0].template.argoWorkflow.parameters.filter(
        (p: { dest: string }) => p.dest !== "metadata.name",
      );
    assert.match(objectProblems(unnamed).join("\n"), /so that a delivery sent again runs nothing/);
    const generated = copy("Sensor", "cto-rex");
    const resource = generated.spec.triggers[0].template.argoWorkflow.source.resource;
    delete resource.metadata.name;
    resource.metadata.generateName = "cto-rex-";
    assert.match(objectProblems(generated).join("\n"), /metadata\.name/);
  });

  it("an EventBus with an unknown field, and any object without a proper name", () => {
    const bus = copy("EventBus", "default");
    bus.spec.nats.native.replica = 1;
    assert.match(objectProblems(bus).join("\n"), /Unrecognized key.*replica/);
    const unnamed = copy("ConfigMap", "cto-agents");
    unnamed.metadata.name = "Not_A_Name";
    assert.match(objectProblems(unnamed).join("\n"), /metadata\.name: must be a DNS-1123 name/);
  });
});
