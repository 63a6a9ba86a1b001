/**
 * One Helm release per chart component of the plan, created the same way everywhere:
 *
 * - the chart source (Helm repository URL or `oci://` reference, chart name, version) comes from
 *   the plan's `ChartPlan`, which the resolver takes from `profiles/versions.yaml` and the user's
 *   `charts:` overrides, so a whole install can be pointed at a mirror;
 * - values come from `renderPlatform` (never built here), optionally merged with values that only
 *   exist at deploy time (generated passwords);
 * - the release name is the component name, so chart-generated object names are predictable;
 * - a short timeout with `atomic: false`: a failed install is left in place for `cto status` to
 *   diagnose (an atomic rollback would delete the evidence), `cleanupOnFail` removes only the
 *   objects a failed *upgrade* added, and `skipAwait: false` makes Pulumi wait for readiness.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPlan, ComponentPlan } from "../profiles/plan.js";

/** Seconds Helm waits for a release's resources to become ready. */
export const HELM_TIMEOUT_SECONDS = 300;

/** Release history kept per chart (enough to diagnose and roll back, bounded Secret count). */
export const HELM_MAX_HISTORY = 5;

export interface ChartReleaseArgs {
  /** The plan's component (name, namespace, chart). */
  component: ComponentPlan;
  /** Rendered chart values; may contain Outputs (e.g. a generated password hash). */
  values: pulumi.Input<Record<string, unknown>>;
  provider: k8s.Provider;
  parent: pulumi.Resource;
  /** Resources that must exist first: the namespace, CRD-providing releases, ... */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** Chart reference and repository options for Helm from a `ChartPlan`. */
export function chartSource(chart: ChartPlan): { chart: string; repositoryOpts?: { repo: string } } {
  if (chart.repository.startsWith("oci://")) {
    return { chart: `${chart.repository.replace(/\/+$/, "")}/${chart.chart}` };
  }
  return { chart: chart.chart, repositoryOpts: { repo: chart.repository } };
}

/**
 * Creates the Helm release of a chart component. The Pulumi name is `<parent name>-<component>`;
 * throws when the plan gives the component no chart (a resolver bug, not a user mistake).
 */
export function createChartRelease(parentName: string, args: ChartReleaseArgs): k8s.helm.v3.Release {
  const { component } = args;
  if (!component.chart) {
    throw new pulumi.ResourceError(`component ${component.name} has no chart in the plan`, args.parent);
  }
  return new k8s.helm.v3.Release(
    `${parentName}-${component.name}`,
    {
      name: component.name,
      namespace: component.namespace,
      createNamespace: false,
      ...chartSource(component.chart),
      version: component.chart.version,
      values: args.values,
      timeout: HELM_TIMEOUT_SECONDS,
      atomic: false,
      cleanupOnFail: true,
      skipAwait: false,
      maxHistory: HELM_MAX_HISTORY,
    },
    { parent: args.parent, provider: args.provider, dependsOn: args.dependsOn },
  );
}

/** The plan's component by name, or undefined when the profile/features leave it out. */
export function findComponent(components: readonly ComponentPlan[], name: string): ComponentPlan | undefined {
  return components.find((c) => c.name === name);
}
