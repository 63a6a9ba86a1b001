/** The template system: renders a `Plan` into everything organisation-specific the platform needs. */
export { renderPlatform, valuesTemplateFor, GITHUB_APP_NAME_MAX, type RenderInputs } from "./render.js";
export {
  renderFiles,
  renderToDirectory,
  readRenderState,
  writeRenderedFiles,
  RENDER_FORMATS,
  RENDER_STATE_FILE,
  type RenderFormat,
  type RenderFilesOptions,
  type RenderToDirectoryOptions,
  type RenderedFiles,
  type RenderState,
  type WriteSummary,
} from "./to-directory.js";
export { TemplateEngine } from "./engine.js";
export { type SecretKeyRef, type SecretSpec, type HelperInputs } from "./helpers.js";
export {
  bundledTemplates,
  catalogProblems,
  readAppCatalog,
  readTemplateSources,
  readAgentRoles,
  templatesDir,
  type AgentRoles,
  type AppCatalog,
} from "./sources.js";
export type { GitHubAppManifest, RenderedIngress, RenderedSecret, RenderedValues } from "./rendered.js";
export { stableJson, stableYaml } from "./stable.js";
