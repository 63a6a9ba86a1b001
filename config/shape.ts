/**
 * Just enough introspection of the zod schema to walk a document alongside it: which keys an
 * object position allows (for camelCase normalisation and "did you mean"), and the schema of a
 * child. Wrappers (optional, default, nullable, pipe, …) are looked through.
 */
import type { z } from "zod";

type AnySchema = z.ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  valueType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  shape?: Record<string, AnySchema>;
}

function def(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Looks through optional/default/nullable/pipe/readonly wrappers. */
export function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const d = def(current);
    if (
      d.innerType &&
      ["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(d.type)
    ) {
      current = d.innerType;
    } else if (d.type === "pipe" && d.in) {
      current = d.in;
    } else {
      return current;
    }
  }
  return current;
}

/** The fixed keys of an object schema, or undefined when the position is not an object. */
export function objectKeys(schema: AnySchema): string[] | undefined {
  const d = def(unwrap(schema));
  if (d.type !== "object" || !d.shape) return undefined;
  return Object.keys(d.shape);
}

/** The schema of `key` under `schema` (object field, record value or array element). */
export function childSchema(schema: AnySchema, key: string | number): AnySchema | undefined {
  const inner = unwrap(schema);
  const d = def(inner);
  switch (d.type) {
    case "object":
      return typeof key === "string" ? d.shape?.[key] : undefined;
    case "record":
      return d.valueType;
    case "array":
      return d.element;
    case "union":
      // Our unions mix a scalar with at most one object; follow the object branch.
      for (const option of d.options ?? []) {
        const child = childSchema(option, key);
        if (child) return child;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The schema at a path, or undefined when the path leaves the schema. */
export function schemaAt(schema: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  let current: AnySchema | undefined = schema;
  for (const segment of path) {
    if (!current) return undefined;
    current = childSchema(current, segment);
  }
  return current;
}
