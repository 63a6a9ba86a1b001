/**
 * The template engine: Handlebars in strict mode, with checks Handlebars does not make itself.
 *
 * - A missing variable anywhere (also as a helper argument or `{{#if}}` condition, which plain
 *   strict mode lets through as `undefined`) is an error naming the template, line and variable.
 * - A call to a helper that does not exist is an error naming it, found before anything renders.
 * - A bare `{{x}}` is refused: every value goes through `{{json x}}`, so what lands in a YAML or
 *   JSON file is always a properly quoted literal, whatever characters the configuration holds.
 *
 * Templates are handed in as text (name → source), so the engine never reads files or globals.
 */
import Handlebars from "handlebars";
import { parse as parseYaml } from "yaml";
import { UserError } from "../config/errors.js";
import {
  BUILTIN_BLOCK_HELPERS,
  TemplateHelperError,
  createHelpers,
  emittingHelpers,
  type HelperInputs,
} from "./helpers.js";

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type PathExpression = hbs.AST.PathExpression;
type CallNode = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

/** The message Handlebars' strict lookup throws: `"name" not defined in [object Object] - 3:4`. */
const STRICT_LOOKUP = /^"([^"]*)" not defined in /;

export class TemplateEngine {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, { render: Handlebars.TemplateDelegate; ast: Program }>();
  private readonly helperNames: ReadonlySet<string>;

  /**
   * @param templates template sources by name, the name being the path under `templates/`
   *   (e.g. `values/argo-cd.yaml.hbs`); errors name them as `templates/<name>:<line>`.
   * @param inputs what the helpers may read (environment, random store, secret references).
   */
  constructor(
    private readonly templates: Readonly<Record<string, string>>,
    inputs: HelperInputs,
  ) {
    const helpers = createHelpers(inputs);
    for (const [name, fn] of Object.entries(helpers)) this.handlebars.registerHelper(name, fn);
    this.helperNames = new Set(Object.keys(helpers));
  }

  /** Whether a template of this name exists. */
  has(name: string): boolean {
    return Object.hasOwn(this.templates, name);
  }

  /** Renders a template to text. */
  renderText(name: string, context: object): string {
    const { render, ast } = this.compile(name);
    try {
      return render(context);
    } catch (err) {
      throw this.translate(name, ast, err);
    }
  }

  /**
   * Renders a YAML template and parses the result. An empty result is `{}`. Output that is not
   * valid YAML (a template bug) is reported with the template's name and the output line.
   */
  renderData(name: string, context: object): unknown {
    const text = this.renderText(name, context);
    let data: unknown;
    try {
      data = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
    } catch (err) {
      const line = (err as { linePos?: [{ line: number }] }).linePos?.[0]?.line;
      const where = line === undefined ? "" : ` at line ${line} of the output`;
      throw new UserError(
        `templates/${name}: rendered output is not valid YAML${where}: ${firstLine(err).replace(/ at line \d+, column \d+:?$/, "")}`,
        {
          cause: err,
        },
      );
    }
    return data ?? {};
  }

  private compile(name: string): { render: Handlebars.TemplateDelegate; ast: Program } {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    if (!this.has(name)) throw new UserError(`templates/${name}: no such template`);
    const source = this.templates[name] as string;
    let ast: Program;
    try {
      ast = Handlebars.parse(source);
    } catch (err) {
      const line = /on line (\d+)/.exec(String((err as Error).message))?.[1];
      throw new UserError(`templates/${name}${line ? `:${line}` : ""}: template syntax error: ${lastLine(err)}`, {
        cause: err,
      });
    }
    this.check(name, ast);
    const render = this.handlebars.compile(ast, { strict: true, noEscape: true });
    const entry = { render, ast };
    this.compiled.set(name, entry);
    return entry;
  }

  /** Static checks on the parsed template; also marks helper arguments for strict lookup. */
  private check(name: string, program: Program): void {
    const fail = (node: Node, message: string, hint?: string): never => {
      throw new UserError(`templates/${name}:${node.loc.start.line}: ${message}`, { hint });
    };
    const emitting = emittingHelpers(name);
    const visitCall = (node: CallNode, kind: "mustache" | "block" | "subexpression"): void => {
      const helper = pathName(node.path);
      const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0 || kind === "subexpression";
      if (isCall && kind !== "block" && !this.helperNames.has(helper)) {
        fail(node, `unknown helper "${helper}"`, `available helpers: ${[...this.helperNames].sort().join(", ")}`);
      }
      if (kind === "mustache" && !emitting.has(helper)) {
        const shown = node.path.type === "PathExpression" ? (node.path as PathExpression).original : helper;
        fail(
          node,
          `{{${shown}${node.params.length ? " ..." : ""}}} would insert a value without quoting it`,
          `write {{json ${isCall ? `(${shown} ...)` : shown}}} so the value is a quoted YAML/JSON literal`,
        );
      }
      if (kind === "block" && !BUILTIN_BLOCK_HELPERS.has(helper)) {
        fail(node, `unknown block helper "${helper}"`, `use one of: ${[...BUILTIN_BLOCK_HELPERS].join(", ")}`);
      }
      for (const param of [...node.params, ...(node.hash?.pairs.map((p) => p.value) ?? [])]) {
        visit(param);
      }
    };
    const visit = (node: Node | undefined | null): void => {
      if (!node) return;
      switch (node.type) {
        case "Program":
          for (const statement of (node as Program).body) visit(statement);
          return;
        case "MustacheStatement":
          return visitCall(node as hbs.AST.MustacheStatement, "mustache");
        case "BlockStatement": {
          const block = node as hbs.AST.BlockStatement;
          visitCall(block, "block");
          visit(block.program);
          visit(block.inverse);
          return;
        }
        case "SubExpression":
          return visitCall(node as hbs.AST.SubExpression, "subexpression");
        case "PathExpression":
          // Handlebars' strict mode checks only the path of a mustache, not helper arguments;
          // marking arguments strict makes `{{#if missing}}` and `(concat missing)` errors too.
          (node as PathExpression & { strict?: boolean }).strict = true;
          return;
        case "PartialStatement":
        case "PartialBlockStatement":
        case "DecoratorBlock":
        case "Decorator":
          return fail(node, "partials and decorators are not supported in cto templates");
        default:
          return; // content, comments, literals
      }
    };
    visit(program);
  }

  /** Turns a Handlebars or helper exception into a UserError naming template, line and cause. */
  private translate(name: string, ast: Program, err: unknown): Error {
    if (err instanceof UserError) return err;
    if (err instanceof TemplateHelperError) {
      const line = err.loc ? `:${err.loc.start.line}` : "";
      return new UserError(`templates/${name}${line}: ${err.message}`, { hint: err.hint, cause: err });
    }
    const e = err as { message?: string; lineNumber?: number; column?: number };
    const missing = STRICT_LOOKUP.exec(e.message ?? "");
    if (missing && e.lineNumber !== undefined) {
      const path = findPath(ast, e.lineNumber, e.column ?? -1, missing[1] as string);
      return new UserError(`templates/${name}:${e.lineNumber}: missing variable "${path}"`, {
        hint: "the configuration or the plan does not provide it; check the spelling or guard it with {{#if}}",
        cause: err,
      });
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}

function pathName(path: Node): string {
  return path.type === "PathExpression" ? (path as PathExpression).original : path.type;
}

/**
 * The full dotted path (e.g. `platform.domain`) of the lookup that failed: Handlebars reports only
 * its last segment, with the location of the path expression it belongs to.
 */
function findPath(program: Program, line: number, column: number, segment: string): string {
  let found: string | undefined;
  const visit = (value: unknown): void => {
    if (found || value === null || typeof value !== "object") return;
    const node = value as Partial<PathExpression>;
    if (
      node.type === "PathExpression" &&
      node.loc?.start.line === line &&
      node.loc.start.column === column &&
      node.parts?.includes(segment)
    ) {
      found = node.original;
      return;
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(program);
  return found ?? segment;
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split("\n")[0] ?? "";
}

function lastLine(err: unknown): string {
  const lines = String((err as Error).message ?? err)
    .split("\n")
    .filter((l) => l.trim() !== "");
  return lines[lines.length - 1] ?? "";
}
