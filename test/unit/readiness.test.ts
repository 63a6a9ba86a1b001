/** "Ready for tasks" from what the cluster and GitHub answer, and the CodeRun `cto task run` creates. */
import { strict as assert } from "node:assert";
import type { CommandRunner } from "../../stacks/diagnose/run.js";
import { Kubectl } from "../../stacks/diagnose/kubectl.js";
import { platformReadiness, readyLine } from "../../stacks/readiness.js";
import { codeRunFor } from "../../stacks/tasks.js";
import { acmePlan } from "../golden/acme-plans.js";

const established = (name: string) => ({
  metadata: { name },
  status: { conditions: [{ type: "Established", status: "True" }] },
});
const available = (name: string) => ({
  kind: "Deployment",
  metadata: { name, generation: 1 },
  spec: { replicas: 1 },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
});

/** A cluster holding `objects` by the `kubectl get` arguments that read them. */
function cluster(objects: Record<string, unknown>): Kubectl {
  const run: CommandRunner = async (_cmd, args) => {
    const key = args.filter((a) => !a.startsWith("--request-timeout") && a !== "-o" && a !== "json").join(" ");
    return key in objects
      ? { found: true, code: 0, stdout: JSON.stringify(objects[key]), stderr: "", timedOut: false }
      : { found: true, code: 1, stdout: "", stderr: `Error from server (NotFound): ${key} not found`, timedOut: false };
  };
  return new Kubectl({ kubeconfig: "/k" }, { run });
}

describe("ready for tasks", () => {
  const plan = acmePlan("minimal"); // domain acme.example, nginx, agent rex, the controller cto ships
  const whole = {
    "--kubeconfig /k get deployment cto-controller -n cto": available("cto-controller"),
    "--kubeconfig /k get crd coderuns.agents.platform": established("coderuns.agents.platform"),
    "--kubeconfig /k get crd docsruns.agents.platform": established("docsruns.agents.platform"),
    "--kubeconfig /k get eventsources.argoproj.io cto-github -n cto": { metadata: { name: "cto-github" } },
    "--kubeconfig /k get sensors.argoproj.io -n cto": { items: [{ metadata: { name: "cto-rex" } }] },
    "--kubeconfig /k get ingress cto-webhooks -n cto": {
      spec: {
        ingressClassName: "nginx",
        rules: [{ host: "webhooks.acme.example", http: { paths: [{ path: "/github/rex" }] } }],
      },
    },
    "--kubeconfig /k get ingressclass nginx": { metadata: { name: "nginx" } },
  };
  const registered = [{ agent: "rex", state: "ok" as const, webhookUrl: "https://webhooks.acme.example/github/rex" }];

  it("yes when every check passes", async () => {
    const r = await platformReadiness(cluster(whole), plan, { github: registered });
    assert.equal(r.ready, true, JSON.stringify(r.checks));
    assert.match(readyLine(r), /^Ready for tasks: yes/);
  });

  it("no, naming each failing check and the first fix", async () => {
    const { "--kubeconfig /k get ingressclass nginx": _gone, ...noController } = whole;
    const r = await platformReadiness(cluster(noController), plan, {
      github: [{ agent: "rex", state: "ok", webhookUrl: "https://old.example/hook" }],
    });
    assert.equal(r.ready, false);
    const line = readyLine(r);
    assert.match(line, /^Ready for tasks: no — webhook route: IngressClass nginx missing/);
    assert.match(line, /GitHub: rex: webhook https:\/\/old\.example\/hook/);
    assert.match(line, /Fix: cto up \(it installs the ingress controller/);
    assert.equal(line.split("\n").length, 1, "one line");
  });

  it("no webhook URL at all is not ready, with the three ways to get one", async () => {
    const local = { ...plan, github: { ...plan.github, webhookUrl: undefined }, platform: { ...plan.platform } };
    delete local.platform.domain;
    const r = await platformReadiness(cluster(whole), local, { github: registered });
    const route = r.checks.find((c) => c.name === "webhook route")!;
    assert.equal(route.ok, false);
    assert.match(route.fix!, /platform\.domain.*github\.tunnel.*github\.webhook_url/);
  });

  it("a smee relay: ready with one client per agent's channel; an agent without its client is named", async () => {
    const smee = structuredClone(plan);
    delete smee.platform.domain;
    smee.github.tunnel = { provider: "smee", url: "https://smee.io/AbC123" };
    smee.github.webhookUrl = "https://smee.io/AbC123";
    const relay = (containers: string[]) => ({
      ...available("cto-tunnel"),
      spec: { replicas: 1, template: { spec: { containers: containers.map((name) => ({ name })) } } },
    });
    const key = "--kubeconfig /k get deployment cto-tunnel -n cto";
    const github = [{ agent: "rex", state: "ok" as const, webhookUrl: "https://smee.io/AbC123-rex" }];
    const ok = await platformReadiness(cluster({ ...whole, [key]: relay(["smee-rex"]) }), smee, { github });
    const route = ok.checks.find((c) => c.name === "webhook route")!;
    assert.equal(route.ok, true, route.detail);
    assert.match(route.detail, /^https:\/\/smee\.io\/AbC123-rex through the smee relay/);
    assert.equal(ok.checks.find((c) => c.name === "GitHub")!.ok, true, "the App delivers to rex's channel");
    const old = await platformReadiness(cluster({ ...whole, [key]: relay(["smee"]) }), smee, { github });
    const stale = old.checks.find((c) => c.name === "webhook route")!;
    assert.equal(stale.ok, false);
    assert.match(stale.detail, /no smee client for rex/);
  });

  it("a task CRD missing is named; the CRDs are read by name, never all at once", async () => {
    const { "--kubeconfig /k get crd docsruns.agents.platform": _gone, ...noDocs } = whole;
    const r = await platformReadiness(cluster(noDocs), plan, { github: registered });
    const crds = r.checks.find((c) => c.name === "task resources")!;
    assert.equal(crds.ok, false);
    assert.equal(crds.detail, "not established: docsruns.agents.platform");
  });

  it("GitHub not asked is not ready", async () => {
    const r = await platformReadiness(cluster(whole), plan);
    assert.deepEqual(
      r.checks.filter((c) => !c.ok).map((c) => c.name),
      ["GitHub"],
    );
  });

  it("cto task run's CodeRun has the shape the platform's WorkflowTemplate creates", () => {
    const o = codeRunFor(plan, { agent: "rex", repository: "acme/api", issue: 7, runType: "implementation" });
    assert.equal(o.apiVersion, "agents.platform/v1");
    assert.equal(o.kind, "CodeRun");
    assert.equal(o.metadata.namespace, "cto");
    assert.equal(o.metadata.generateName, "rex-");
    assert.deepEqual(o.metadata.labels, {
      "cto.dev/agent": "rex",
      "cto.dev/event": "manual",
      "app.kubernetes.io/managed-by": "cto",
    });
    assert.equal(o.spec.taskId, 7);
    assert.equal(o.spec.service, "api");
    assert.equal(o.spec.repositoryUrl, "https://github.com/acme/api");
    assert.equal(o.spec.docsRepositoryUrl, "https://github.com/acme/platform");
    assert.equal(o.spec.implementationAgent, "rex");
    for (const field of ["service", "repositoryUrl", "docsRepositoryUrl", "workingDirectory", "githubApp"])
      assert.ok(o.spec[field] !== undefined && o.spec[field] !== "", `required field ${field}`);
  });
});
