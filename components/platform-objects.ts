/**
 * Creating the platform's own objects (rendered by `templates/platform/objects/`) as Pulumi
 * resources: core kinds through their typed `@pulumi/kubernetes` classes (so the provider knows
 * how to wait for them, e.g. a Deployment until it is available), anything else, such as Argo's
 * kinds, as `apiextensions.CustomResource`.
 *
 * Resource names are `<parent>-<kind>-<object name>` (kinds lowercased), stable as long as the
 * object keeps its kind and name.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformObject } from "../templates/platform-objects.js";

type Args = Record<string, unknown>;
type Create = (name: string, args: Args, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** Typed classes by `apiVersion/kind`. */
const TYPED: Record<string, Create> = {
  "apiextensions.k8s.io/v1/CustomResourceDefinition": (n, a, o) =>
    new k8s.apiextensions.v1.CustomResourceDefinition(
      n,
      a as unknown as k8s.apiextensions.v1.CustomResourceDefinitionArgs,
      o,
    ),
  "v1/ServiceAccount": (n, a, o) => new k8s.core.v1.ServiceAccount(n, a as k8s.core.v1.ServiceAccountArgs, o),
  "v1/ConfigMap": (n, a, o) => new k8s.core.v1.ConfigMap(n, a as k8s.core.v1.ConfigMapArgs, o),
  "v1/Service": (n, a, o) => new k8s.core.v1.Service(n, a as k8s.core.v1.ServiceArgs, o),
  "apps/v1/Deployment": (n, a, o) => new k8s.apps.v1.Deployment(n, a as k8s.apps.v1.DeploymentArgs, o),
  "rbac.authorization.k8s.io/v1/Role": (n, a, o) => new k8s.rbac.v1.Role(n, a as k8s.rbac.v1.RoleArgs, o),
  "rbac.authorization.k8s.io/v1/RoleBinding": (n, a, o) =>
    new k8s.rbac.v1.RoleBinding(n, a as unknown as k8s.rbac.v1.RoleBindingArgs, o),
};

/** The Pulumi resource name of a platform object under `parent`. */
export function platformObjectName(parent: string, object: PlatformObject): string {
  return `${parent}-${object.kind.toLowerCase()}-${object.metadata.name}`;
}

/** Whether an object is a CustomResourceDefinition (created before everything else). */
export function isCrd(object: PlatformObject): boolean {
  return object.kind === "CustomResourceDefinition";
}

/** Kinds other objects need in place first: accounts, permissions, configuration, Services. */
const SETUP_KINDS = new Set(["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Service"]);

/** Whether an object is set-up (an account, permission, configuration or Service) for the others. */
export function isSetup(object: PlatformObject): boolean {
  return SETUP_KINDS.has(object.kind);
}

/** Pulumi's annotation that turns off the provider's readiness wait for one object. */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

/**
 * The object as `cto up` hands it to the provider: a Service gets {@link SKIP_AWAIT}. The
 * provider would otherwise hold it until its endpoints are ready (and then 10 s more for
 * stragglers), although the Deployment behind it is awaited itself; whether the Service routes
 * is `cto status`'s check. The annotation concerns the Pulumi provider only, so `cto render`
 * writes the objects without it.
 */
export function providerObject(object: PlatformObject): PlatformObject {
  if (object.kind !== "Service") return object;
  const annotations = { ...object.metadata.annotations, [SKIP_AWAIT]: "true" };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** Creates one platform object; the typed class for core kinds, a CustomResource otherwise. */
export function createPlatformObject(
  parent: string,
  object: PlatformObject,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const name = platformObjectName(parent, object);
  const { apiVersion, kind, ...rest } = providerObject(object);
  const typed = TYPED[`${apiVersion}/${kind}`];
  if (typed) return typed(name, rest, opts);
  return new k8s.apiextensions.CustomResource(name, { apiVersion, kind, ...rest }, opts);
}
