import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { UserError } from "../../config/errors.js";
import {
  RENDER_STATE_FILE,
  readRenderState,
  renderToDirectory,
  writeRenderedFiles,
} from "../../templates/to-directory.js";
import { acmePlan } from "../golden/acme-plans.js";

/** Every file under `dir` (state file included) with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      out[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name), "utf8");
  }
  return out;
}

describe("cto render output directory", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cto-render-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const render = (
    profile: "minimal" | "standard" | "production",
    format: "helm-values" | "manifests" = "helm-values",
  ) => renderToDirectory(acmePlan(profile), { dir, env: {}, format, secretStore: "acme-vault" });

  it("writes one file per component and keeps the random values in its state file", () => {
    const first = render("minimal");
    assert.deepEqual(readdirSync(dir).sort(), [
      RENDER_STATE_FILE,
      "README.md",
      "argo-cd.values.yaml",
      "argo-events.values.yaml",
      "argo-workflows.values.yaml",
      "cto-config.json",
      "github-apps",
      "ingress",
      "ingress-nginx.values.yaml",
      "namespaces.yaml",
      "platform",
    ]);
    const state = readRenderState(dir);
    const config = JSON.parse(readFileSync(join(dir, "cto-config.json"), "utf8")) as { installationId: string };
    assert.equal(state.random["installation-id"], config.installationId);
    assert.deepEqual(state.files, Object.keys(first.files).sort());
  });

  it("is byte-identical on a second run and rewrites nothing", () => {
    const first = render("standard");
    const before = snapshot(dir);
    const second = render("standard");
    assert.deepEqual(second.written, []);
    assert.deepEqual(second.unchanged.sort(), Object.keys(first.files).sort());
    assert.deepEqual(snapshot(dir), before);
  });

  it("removes files it wrote before that are no longer produced, and leaves other files alone", () => {
    render("standard");
    writeFileSync(join(dir, "NOTES.md"), "ours\n");
    const summary = render("minimal");
    assert.ok(summary.removed.includes("github-apps/cleo.json"));
    assert.ok(summary.removed.includes("monitoring.values.yaml"));
    assert.equal(existsSync(join(dir, "github-apps", "cleo.json")), false);
    assert.equal(readFileSync(join(dir, "NOTES.md"), "utf8"), "ours\n");
  });

  it("writes nothing when rendering fails", () => {
    const plan = acmePlan("minimal");
    plan.github.organization = "acme-industrial-automation-group";
    assert.throws(
      () => renderToDirectory(plan, { dir, env: {}, format: "helm-values", secretStore: "acme-vault" }),
      UserError,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it("manifests: valid Kubernetes objects with secrets only as ExternalSecret references", () => {
    const { files } = render("production", "manifests");
    const kinds = new Map<string, number>();
    for (const [path, content] of Object.entries(files)) {
      if (!path.endsWith(".yaml")) continue;
      for (const doc of parseAllDocuments(content)) {
        assert.deepEqual(doc.errors, [], path);
        const obj = doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string } };
        assert.ok(obj.apiVersion && obj.kind && obj.metadata.name, `${path}: not a Kubernetes object`);
        assert.notEqual(obj.kind, "Secret", `${path}: a Secret object would carry values`);
        kinds.set(obj.kind, (kinds.get(obj.kind) ?? 0) + 1);
      }
    }
    assert.deepEqual(Object.fromEntries(kinds), {
      // Every charted component; the platform's own objects are in platform/ (4 agents: 4 Sensors);
      // security/ holds the issuer the Ingresses name and one policy per platform namespace.
      Application: 10,
      ClusterIssuer: 1,
      ConfigMap: 3,
      CustomResourceDefinition: 2,
      Deployment: 1,
      EventBus: 1,
      EventSource: 1,
      ExternalSecret: 7,
      Ingress: 1,
      Namespace: 8,
      NetworkPolicy: 3,
      Role: 3,
      RoleBinding: 3,
      Sensor: 4,
      Service: 1,
      ServiceAccount: 3,
      WorkflowTemplate: 1,
    });
    assert.equal(files["external-secrets/cto-github-webhook.yaml"], undefined, "no shared webhook secret");
    const webhook = files["external-secrets/cto-github-app-rex.yaml"] as string;
    assert.match(webhook, /apiVersion: external-secrets\.io\/v1beta1/);
    assert.match(
      webhook,
      /key: acme-platform\/prod\/cto-github-app-rex\n\s+property: webhook-secret\n\s+secretKey: webhook-secret/,
    );
    assert.match(webhook, /name: acme-vault/);
  });

  it("refuses a state file that is not its own", () => {
    writeFileSync(join(dir, RENDER_STATE_FILE), '{"files": "nope"}');
    assert.throws(() => readRenderState(dir), {
      message: `${join(dir, RENDER_STATE_FILE)}: not a cto render state file`,
    });
  });

  it("refuses to write outside the output directory", () => {
    assert.throws(() => writeRenderedFiles(dir, { "../escape.yaml": "x" }, { version: 1, files: [], random: {} }), {
      message: "refusing to write outside the output directory: ../escape.yaml",
    });
  });
});
