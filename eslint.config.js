// Lint: typescript-eslint's recommended rules plus Pulumi's rule that forbids an Output inside a
// template literal (it would render as a warning string instead of the value).
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

// Layering (docs/architecture.md): each folder imports only the folders after it in this list.
const LAYERS = ["cli", "stacks", "components", "templates", "profiles", "config"];
// No layer imports the repository's tools and tests.
const NEVER = ["test", "scripts", "bench"];
// Dynamic providers run in the engine's process and read files and the environment there; they
// say so at the top of the file. No other component may (docs/architecture.md).
const DYNAMIC_PROVIDERS = ["components/cluster/simulated.ts", "components/cluster/kubeconfig-file.ts"];
const HOST_MODULES = [
  "node:fs",
  "node:fs/promises",
  "node:child_process",
  "node:os",
  "node:http",
  "node:https",
  "node:net",
];

/**
 * Lint rules that fail on an import against the layering, static (`import`, `export … from`,
 * `import type`) or dynamic (`import("…")`). Relative specifiers are matched by their depth, so
 * `../config/run.js` from `cli/commands/` (the CLI's own config folder) is not mistaken for the
 * config layer. With `host: false`, components may not import file, process or network modules
 * nor read `process.env`.
 */
function layerRules(layer, depth, host) {
  const banned = [...LAYERS.slice(0, LAYERS.indexOf(layer)), ...NEVER];
  const up = "\\.\\./".repeat(depth);
  const regex = `^${up}(${banned.join("|")})/`;
  const message = `${layer}/ may not import ${banned.join(", ")}: imports flow ${LAYERS.join(" → ")} (docs/architecture.md).`;
  const patterns = [{ regex, message }];
  const syntax = [
    {
      // esquery regex literals cannot hold a slash, so \x2F stands for "/".
      selector: `ImportExpression > Literal[value=/${regex.replaceAll("/", "\\x2F")}/]`,
      message,
    },
  ];
  const rules = {};
  if (layer === "components" && !host) {
    const hostMessage =
      "components never read files, the environment or the network; only dynamic providers do (docs/architecture.md).";
    rules["no-restricted-imports"] = [
      "error",
      { patterns, paths: HOST_MODULES.map((name) => ({ name, message: hostMessage })) },
    ];
    for (const name of HOST_MODULES)
      syntax.push({ selector: `ImportExpression > Literal[value="${name}"]`, message: hostMessage });
    syntax.push({ selector: "MemberExpression[object.name='process'][property.name='env']", message: hostMessage });
  } else {
    rules["no-restricted-imports"] = ["error", { patterns }];
  }
  rules["no-restricted-syntax"] = ["error", ...syntax];
  return rules;
}

const layering = LAYERS.flatMap((layer) =>
  [1, 2, 3].map((depth) => ({
    files: [`${layer}/${"*/".repeat(depth - 1)}*.ts`],
    ignores: DYNAMIC_PROVIDERS,
    rules: layerRules(layer, depth, false),
  })),
);
const dynamicProviders = DYNAMIC_PROVIDERS.map((file) => ({
  files: [file],
  rules: layerRules("components", file.split("/").length - 1, true),
}));

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "dist-*/**",
      "node_modules/**",
      "release/**",
      "toolchain/**",
      "**/*.js",
      "**/*.cjs",
      "**/*.mjs",
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.json" } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layering,
  ...dynamicProviders,
);
