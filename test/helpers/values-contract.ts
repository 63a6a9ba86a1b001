/**
 * The values contract between cto's templates and an official chart version: every key path cto
 * renders must exist in the chart's default `values.yaml` or be allowed by its `values.schema.json`,
 * unless it lies under a free-form map allowed explicitly (with its reason) in `FREE_FORM`.
 */

/** A JSON schema node, as far as the check reads it. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}

/**
 * Maps whose keys the chart does not declare, because they are free-form by nature: chart →
 * values path (dots; `*` matches one key) → why any key is fine there.
 */
export const FREE_FORM: Record<string, Record<string, string>> = {
  "argo-cd": {
    "global.additionalLabels": "extra labels for every object; keys are label names",
    "configs.params": "argocd-cmd-params-cm entries; keys are Argo CD's parameter names, written into the ConfigMap",
    "server.ingress.annotations": "ingress annotations; keys are annotation names",
  },
  "argo-workflows": {
    commonLabels: "extra labels for every object; keys are label names",
    "server.ingress.annotations": "ingress annotations; keys are annotation names",
  },
  "argo-events": {
    "global.additionalLabels": "extra labels for every object; keys are label names",
  },
  "kube-prometheus-stack": {
    commonLabels: "extra labels for every object; keys are label names",
    "grafana.ingress.annotations": "ingress annotations (grafana subchart); keys are annotation names",
    grafana: "the grafana subchart's values: its defaults live in the subchart, not in this chart's values.yaml",
  },
  velero: {
    "configuration.backupStorageLocation.*.config":
      "the object-store plugin's own settings (region, s3Url, resourceGroup, ...), passed through to the BackupStorageLocation",
    "schedules.*": "schedules by name: each key is a Schedule the chart creates",
    "initContainers.*": "plain Kubernetes container specs (the object-store plugin)",
  },
  loki: {
    "loki.schemaConfig": "Loki's own schema_config, written into Loki's configuration file",
  },
};

/** Whether `path` (dot-joined) is under an allowed free-form map of `chart`. */
export function freeForm(chart: string, path: string[]): string | undefined {
  for (const [pattern, reason] of Object.entries(FREE_FORM[chart] ?? {})) {
    const parts = pattern.split(".");
    if (parts.length > path.length) continue;
    if (parts.every((p, i) => p === "*" || p === path[i])) return reason;
  }
  return undefined;
}

function resolveRef(root: Schema, node: Schema | undefined): Schema | undefined {
  let n = node;
  for (let i = 0; n?.$ref && i < 20; i++) {
    const ref = n.$ref;
    if (!ref.startsWith("#/")) return undefined;
    n = ref
      .slice(2)
      .split("/")
      .reduce<unknown>(
        (o, k) => (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, "/").replace(/~0/g, "~")],
        root,
      ) as Schema | undefined;
  }
  return n;
}

/** The schema of `key` inside an object schema, or undefined when the schema does not allow it. */
function schemaChild(root: Schema, node: Schema | undefined, key: string): Schema | undefined | "any" {
  const n = resolveRef(root, node);
  if (!n) return undefined;
  for (const sub of [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])]) {
    const found = schemaChild(root, sub, key);
    if (found) return found;
  }
  if (n.properties && key in n.properties) return n.properties[key];
  for (const [re, s] of Object.entries(n.patternProperties ?? {})) if (new RegExp(re).test(key)) return s;
  if (n.additionalProperties === true) return "any";
  if (typeof n.additionalProperties === "object") return n.additionalProperties;
  // No properties and no restriction: an open object.
  if (
    !n.properties &&
    !n.patternProperties &&
    n.additionalProperties === undefined &&
    !n.allOf &&
    !n.anyOf &&
    !n.oneOf
  ) {
    const t = n.type;
    if (t === undefined || t === "object" || (Array.isArray(t) && t.includes("object"))) return "any";
  }
  return undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Key paths of `values` that the chart neither declares in its defaults nor allows in its schema,
 * outside the free-form maps. Arrays: each object item is checked against the keys the default
 * items have (when the default has object items), else the array is taken as a value.
 */
export function missingKeys(chart: string, values: unknown, defaults: unknown, schema: Schema | undefined): string[] {
  const out: string[] = [];
  const walk = (ours: unknown, theirs: unknown, sch: Schema | undefined | "any", at: string[]) => {
    if (freeForm(chart, at)) return;
    if (Array.isArray(ours)) {
      const items = Array.isArray(theirs) ? theirs.filter(isMap) : [];
      if (items.length === 0) return;
      const union = Object.assign({}, ...items) as Record<string, unknown>;
      ours.forEach((item, i) => {
        if (!isMap(item) || freeForm(chart, [...at, "*"])) return;
        for (const [k, v] of Object.entries(item)) {
          if (freeForm(chart, [...at, String(i), k]) || freeForm(chart, [...at, "*", k])) continue;
          if (!(k in union)) out.push([...at, String(i), k].join("."));
          else walkChild(v, union[k], [...at, "*", k]);
        }
      });
      return;
    }
    if (!isMap(ours)) return;
    for (const [k, v] of Object.entries(ours)) {
      const path = [...at, k];
      if (freeForm(chart, path)) continue;
      const inDefaults = isMap(theirs) && k in theirs;
      const childSchema = sch === "any" ? "any" : sch ? schemaChild(schema!, sch, k) : undefined;
      if (!inDefaults && !childSchema) {
        out.push(path.join("."));
        continue;
      }
      if (!inDefaults && childSchema === "any") continue;
      walk(v, inDefaults ? theirs[k] : undefined, childSchema, path);
    }
  };
  const walkChild = (v: unknown, d: unknown, at: string[]) => walk(v, d, undefined, at);
  walk(values, defaults, schema, []);
  return out;
}
