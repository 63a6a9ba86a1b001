/** The `cto.yaml` model: schema, loading with located errors, interpolation, redaction, paths. */
export * from "./errors.js";
export * from "./schema.js";
export { loadConfig, parseConfigText, type LoadConfigOptions } from "./load.js";
export { interpolateString, retypePlainScalar, type InterpolationResult } from "./interpolate.js";
export { redactConfig, isSecretPath, REDACTED } from "./redact.js";
export { packageRoot, ctoHome } from "./paths.js";
export { closest, suggestion, editDistance, toSnakeCase } from "./suggest.js";
export {
  parseYamlWithSchema,
  parseYamlLocated,
  type LocatedDocument,
  MAX_YAML_BYTES,
  MAX_ALIAS_COUNT,
  type ParseYamlOptions,
} from "./yaml-parse.js";
