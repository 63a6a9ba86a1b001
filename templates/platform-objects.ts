/**
 * Shape checks of the platform's own Kubernetes objects (rendered from `platform/objects/`).
 *
 * Every object needs `apiVersion`, `kind` and a DNS-1123 `metadata.name`. Argo Events' CRDs
 * accept anything (their schemas are `x-kubernetes-preserve-unknown-fields`), so a misspelt field
 * in an EventBus, EventSource or Sensor would be stored by the API server and ignored by Argo
 * Events; the schemas below are the fields cto relies on, strictly, so such a mistake is a
 * render error naming the object instead. The fields are those of Argo Events' v1alpha1 API.
 */
import { z } from "zod";

const dnsName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: "must be a DNS-1123 name" });
const labelsSchema = z.record(z.string(), z.string());
const metadataSchema = z.object({
  name: dnsName,
  namespace: dnsName.optional(),
  labels: labelsSchema.optional(),
  annotations: labelsSchema.optional(),
});

/** Any Kubernetes object of the platform: enough to create and address it. */
export const kubernetesObjectSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: "must be a Kind" }),
    metadata: metadataSchema,
  })
  .passthrough();

export type PlatformObject = z.infer<typeof kubernetesObjectSchema>;

const ARGO_EVENTS = "argoproj.io/v1alpha1";
const secretKeySelector = z.strictObject({ name: dnsName, key: z.string().min(1) });
const namespaced = z.object({ name: dnsName, namespace: dnsName, labels: labelsSchema.optional() }).strict();

export const eventBusSchema = z.strictObject({
  apiVersion: z.literal(ARGO_EVENTS),
  kind: z.literal("EventBus"),
  metadata: namespaced,
  spec: z.strictObject({
    nats: z.strictObject({
      native: z.strictObject({
        replicas: z.number().int().min(1),
        auth: z.enum(["none", "token"]).optional(),
      }),
    }),
  }),
});

const githubSourceSchema = z
  .strictObject({
    organizations: z.array(z.string().min(1)).min(1).optional(),
    repositories: z
      .array(z.strictObject({ owner: z.string().min(1), names: z.array(z.string().min(1)).min(1) }))
      .min(1)
      .optional(),
    webhook: z.strictObject({
      endpoint: z.string().regex(/^\/\S*$/, { message: "must be a path starting with /" }),
      port: z.string().regex(/^[0-9]+$/, { message: "must be a port number as a string" }),
      method: z.literal("POST"),
      url: z.string().url().optional(),
    }),
    events: z.array(z.string().min(1)),
    webhookSecret: secretKeySelector,
    contentType: z.enum(["json", "form"]),
    active: z.boolean(),
    insecure: z.boolean(),
  })
  .refine((g) => (g.organizations === undefined) !== (g.repositories === undefined), {
    message: "exactly one of organizations and repositories (Argo Events refuses both or neither)",
  });

export const eventSourceSchema = z.strictObject({
  apiVersion: z.literal(ARGO_EVENTS),
  kind: z.literal("EventSource"),
  metadata: namespaced,
  spec: z
    .strictObject({
      eventBusName: dnsName,
      service: z.strictObject({
        ports: z.array(z.strictObject({ port: z.number().int(), targetPort: z.number().int() })).min(1),
      }),
      github: z.record(z.string().min(1), githubSourceSchema),
    })
    .superRefine((spec, ctx) => {
      const endpoints = new Map<string, string>();
      for (const [name, source] of Object.entries(spec.github)) {
        const key = `${source.webhook.port}${source.webhook.endpoint}`;
        const other = endpoints.get(key);
        if (other !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["github", name, "webhook", "endpoint"],
            message: `same port and endpoint as ${other}: one delivery would reach two Sensors`,
          });
        }
        endpoints.set(key, name);
        if (!spec.service.ports.some((p) => String(p.targetPort) === source.webhook.port)) {
          ctx.addIssue({
            code: "custom",
            path: ["github", name, "webhook", "port"],
            message: "is not a target port of spec.service: the endpoint would not be reachable",
          });
        }
      }
    }),
});

const dataFilterSchema = z.strictObject({
  path: z.string().min(1),
  type: z.enum(["string", "number", "bool"]),
  value: z.array(z.string()).min(1),
});

const dependencySchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: "must be a lowercase name" }),
  eventSourceName: dnsName,
  eventName: z.string().min(1),
  filters: z.strictObject({ data: z.array(dataFilterSchema).min(1) }).optional(),
});

const triggerParameterSchema = z.strictObject({
  src: z.strictObject({
    dependencyName: z.string().min(1),
    dataKey: z.string().min(1).optional(),
    value: z.string().optional(),
  }),
  dest: z.string().min(1),
  operation: z.enum(["append", "prepend", "overwrite"]).optional(),
});

/**
 * Where a submitted Workflow's name comes from: the GitHub delivery id the EventSource copies into
 * the event's body, appended to the resource's name prefix. The API server refuses a second
 * Workflow of that name, so one delivery runs once (objects/events.yaml.hbs).
 */
export const DELIVERY_ID_KEY = "body.X-GitHub-Delivery";

/** The Workflow a trigger submits: a run of a WorkflowTemplate, with its parameters listed. */
const submittedWorkflowSchema = z
  .object({
    apiVersion: z.literal(ARGO_EVENTS),
    kind: z.literal("Workflow"),
    metadata: z
      .object({
        name: z.string().regex(/^[a-z][a-z0-9-]*-$/, { message: "must be a name prefix ending in '-'" }),
        namespace: dnsName,
      })
      .passthrough(),
    spec: z
      .object({
        workflowTemplateRef: z.strictObject({ name: dnsName }),
        arguments: z.strictObject({
          parameters: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })),
        }),
      })
      .passthrough(),
  })
  .passthrough();

const triggerSchema = z.strictObject({
  template: z.strictObject({
    name: z.string().min(1),
    conditions: z.string().min(1),
    argoWorkflow: z.strictObject({
      operation: z.literal("submit"),
      source: z.strictObject({ resource: submittedWorkflowSchema }),
      parameters: z.array(triggerParameterSchema),
    }),
  }),
  retryStrategy: z.strictObject({ steps: z.number().int().min(1) }).optional(),
});

export const sensorSchema = z.strictObject({
  apiVersion: z.literal(ARGO_EVENTS),
  kind: z.literal("Sensor"),
  metadata: namespaced,
  spec: z
    .strictObject({
      eventBusName: dnsName,
      template: z.strictObject({ serviceAccountName: dnsName }),
      dependencies: z.array(dependencySchema).min(1, { message: "a Sensor without dependencies never fires" }),
      triggers: z.array(triggerSchema).min(1),
    })
    .superRefine((spec, ctx) => {
      const names = new Set(spec.dependencies.map((d) => d.name));
      spec.triggers.forEach((trigger, i) => {
        const { conditions, argoWorkflow } = trigger.template;
        for (const used of conditions.split(/[|&()\s]+/).filter(Boolean)) {
          if (!names.has(used)) {
            ctx.addIssue({
              code: "custom",
              path: ["triggers", i, "template", "conditions"],
              message: `names no dependency "${used}"`,
            });
          }
        }
        argoWorkflow.parameters.forEach((p, j) => {
          if (!names.has(p.src.dependencyName)) {
            ctx.addIssue({
              code: "custom",
              path: ["triggers", i, "template", "argoWorkflow", "parameters", j, "src", "dependencyName"],
              message: `names no dependency "${p.src.dependencyName}"`,
            });
          }
          if (p.dest === "metadata.name") return;
          const index = /^spec\.arguments\.parameters\.(\d+)\.value$/.exec(p.dest)?.[1];
          const params = argoWorkflow.source.resource.spec.arguments.parameters;
          if (index === undefined || Number(index) >= params.length) {
            ctx.addIssue({
              code: "custom",
              path: ["triggers", i, "template", "argoWorkflow", "parameters", j, "dest"],
              message: `"${p.dest}" is not a parameter of the submitted Workflow`,
            });
          }
        });
        const naming = argoWorkflow.parameters.filter((p) => p.dest === "metadata.name");
        const named =
          naming.length === 1 && naming[0]?.src.dataKey === DELIVERY_ID_KEY && naming[0].operation === "append";
        if (!named) {
          ctx.addIssue({
            code: "custom",
            path: ["triggers", i, "template", "argoWorkflow", "parameters"],
            message: `needs exactly one parameter { src: { dataKey: ${DELIVERY_ID_KEY} }, dest: metadata.name, operation: append }, so that a delivery sent again runs nothing`,
          });
        }
      });
    }),
});

/** Strict schemas of the objects Argo Events' CRDs would accept unchecked, by kind. */
export const EVENT_OBJECT_SCHEMAS: Record<string, z.ZodType> = {
  EventBus: eventBusSchema,
  EventSource: eventSourceSchema,
  Sensor: sensorSchema,
};

/**
 * Problems with one rendered object, as `path: message` lines (empty when it is fine): its
 * Kubernetes identity, and for Argo Events kinds the strict schema above.
 */
export function objectProblems(object: unknown): string[] {
  const issues: string[] = [];
  const base = kubernetesObjectSchema.safeParse(object);
  if (!base.success) return base.error.issues.map((i) => `${i.path.join(".") || "(object)"}: ${i.message}`);
  const strict = base.data.apiVersion === ARGO_EVENTS ? EVENT_OBJECT_SCHEMAS[base.data.kind] : undefined;
  if (strict) {
    const result = strict.safeParse(object);
    if (!result.success) {
      for (const i of result.error.issues) issues.push(`${i.path.join(".") || "(object)"}: ${i.message}`);
    }
  }
  return issues;
}

/** `kind/namespace/name` of an object, for messages and resource names. */
export function objectId(object: PlatformObject): string {
  const ns = object.metadata.namespace;
  return ns ? `${object.kind}/${ns}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`;
}
