/**
 * How to reach the Argo UIs without an Ingress (issue 15 item 3, `ingress_type: none`): the
 * Service names and ports are the charts' own (../shared/charts-data, argo-cd 7.8.0 and
 * argo-workflows 0.45.0 render Deployments argo-cd-argocd-server and argo-workflows-server for the
 * releases cto installs; the Services carry the same names).
 */
import assert from "node:assert/strict";
import { acmePlan } from "../golden/acme-plans.js";
import { argoUiNote, argoUis, helmFullName, portForwardCommand } from "../../profiles/ui-access.js";
import { KIND_PORT_MAPPINGS } from "../../profiles/resolve.js";
import type { Plan } from "../../profiles/plan.js";
import { printRouteNote } from "../../cli/lifecycle/apply.js";
import type { LifecycleIO } from "../../cli/lifecycle/session.js";

function plan(change: (p: Plan) => void): Plan {
  const p = structuredClone(acmePlan("minimal"));
  change(p);
  return p;
}

describe("profiles/ui-access: the Argo UIs without an Ingress", () => {
  it("helmFullName: the release when it contains the chart's name, else <release>-<name>", () => {
    assert.equal(helmFullName("argo-cd", "argocd"), "argo-cd-argocd");
    assert.equal(helmFullName("argo-workflows", "argo-workflows"), "argo-workflows");
    assert.equal(helmFullName("argocd", "argocd"), "argocd");
  });

  it("the Services and ports of the releases cto installs, forwarded from ports the kind node does not hold", () => {
    const uis = argoUis(acmePlan("minimal"));
    assert.deepEqual(
      uis.map((u) => portForwardCommand(u)),
      [
        "kubectl -n argocd port-forward svc/argo-cd-argocd-server 8443:443",
        "kubectl -n argo port-forward svc/argo-workflows-server 12746:2746",
      ],
    );
    for (const u of uis) assert.ok(!KIND_PORT_MAPPINGS.includes(u.localPort), `${u.title}: ${u.localPort} is free`);
  });

  it("ingress_type none: the note names both UIs with their port-forward commands", () => {
    const note = argoUiNote(plan((p) => (p.platform.ingressType = "none"))) ?? "";
    assert.match(note, /^platform\.ingress_type is none, so no Ingress serves the Argo UIs/);
    assert.ok(
      note.includes(
        "Argo CD: kubectl -n argocd port-forward svc/argo-cd-argocd-server 8443:443, then open https://localhost:8443",
      ),
      note,
    );
    assert.ok(
      note.includes(
        "Argo Workflows: kubectl -n argo port-forward svc/argo-workflows-server 12746:2746, then open http://localhost:12746",
      ),
      note,
    );
  });

  it("no domain: the same commands; cto's ingress with a domain: no note", () => {
    const local = argoUiNote(plan((p) => delete p.platform.domain)) ?? "";
    assert.match(local, /^no platform\.domain, so no Ingress serves the Argo UIs; forward a port: Argo CD: kubectl/);
    assert.equal(argoUiNote(acmePlan("minimal")), undefined);
  });

  it("a component the plan leaves out is not named", () => {
    const note =
      argoUiNote(
        plan((p) => {
          p.platform.ingressType = "none";
          p.components = p.components.filter((c) => c.name !== "argo-workflows");
        }),
      ) ?? "";
    assert.match(note, /Argo CD/);
    assert.doesNotMatch(note, /Argo Workflows/);
  });

  it("cto up and cto status print it after the webhook route (text and --json)", () => {
    const p = plan((x) => (x.platform.ingressType = "none"));
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: () => {} } as unknown as LifecycleIO;
    printRouteNote(p, io, false);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^Webhook route: platform\.ingress_type is none/);
    assert.equal(lines[1], `Argo UIs: ${argoUiNote(p)}`);
    lines.length = 0;
    printRouteNote(p, io, true);
    assert.deepEqual(JSON.parse(lines[1]!), { kind: "ui-access", note: argoUiNote(p) });
    lines.length = 0;
    printRouteNote(acmePlan("minimal"), io, false);
    assert.deepEqual(lines, [], "cto's ingress routes the webhooks and the UIs: nothing to print");
  });
});
