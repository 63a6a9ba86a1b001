/**
 * The work behind `cto preview | up | refresh | destroy | stacks | history | status | upgrade |
 * rollback | cancel`: load the plan, ask what must be asked, call `stacks/lifecycle.ts`, show the
 * result. Imported lazily by the command modules.
 *
 * Output: progress and results on stdout; prompts on stderr. With `--json`, stdout carries only
 * JSON: one line per event for up/upgrade/rollback/refresh/destroy (progress events as
 * `stacks/progress.ts` defines them, then `{"kind":"result",…}`), one document for the others
 * (preview prints its report, steps included, as one line).
 *
 * Confirmation: with a terminal, cto asks; without one (or with CI=true) it never prompts, so
 * commands that change the cluster require `--yes`, and destroying a production environment also
 * requires `--confirm <env>` (the name a user would type).
 */
import { dirname } from "node:path";
import { UserError } from "../../config/errors.js";
import { ctoHome } from "../../config/paths.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import type { CrdCleanup } from "../../stacks/crds.js";
import type { LifecycleOptions, PlannedStep, PreviewReport, UpdateReport } from "../../stacks/lifecycle.js";
import {
  describeChanges,
  formatSeconds,
  renderFinalTable,
  renderProgressLine,
  table,
  type ProgressEvent,
} from "../../stacks/progress.js";
import { canPrompt, DEFAULT_ENVIRONMENT, existingConfigFile, useColor } from "../context.js";
import { handleInterrupts } from "./interrupt.js";

export interface LifecycleCommandOptions {
  file?: string;
  env?: string;
  profile?: string;
  json?: boolean;
  yes?: boolean;
  skipChecks?: boolean;
  diff?: boolean;
  refresh?: boolean;
  clearPending?: boolean;
  to?: string;
  force?: boolean;
  confirm?: string;
  keepCrds?: boolean;
}

export interface LifecycleIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** One line to stdout. */
  out: (line: string) => void;
  /** One line to stderr. */
  err: (line: string) => void;
  /** A terminal to ask on (and no CI). */
  interactive: boolean;
  /** stdin is a terminal (Ctrl-C reaches the engine directly). */
  terminal: boolean;
  color: boolean;
}

export function processLifecycleIO(): LifecycleIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    interactive: canPrompt(process.env),
    terminal: Boolean(process.stdin.isTTY),
    color: useColor(process.env),
  };
}

interface Loaded {
  file: string;
  plan: Plan;
  secrets: PlanSecrets;
}

/** cto.yaml → plan for the environment (and, for upgrades, another release). */
async function load(options: LifecycleCommandOptions, io: LifecycleIO, release?: string): Promise<Loaded> {
  const [{ loadConfig }, { loadCatalog }, { resolvePlan }] = await Promise.all([
    import("../../config/load.js"),
    import("../../profiles/load.js"),
    import("../../profiles/resolve.js"),
  ]);
  const file = existingConfigFile(options, io);
  const config = await loadConfig(file, { env: io.env });
  const { plan, secrets } = await resolvePlan(
    config,
    {
      environment: options.env ?? DEFAULT_ENVIRONMENT,
      profile: options.profile,
      ...(release !== undefined ? { release } : {}),
      home: ctoHome(io.env),
      baseDir: dirname(file),
      file,
      env: io.env,
    },
    await loadCatalog(),
  );
  return { file, plan, secrets };
}

/** Refuse early (before anything runs) when a change would need a confirmation nobody can give. */
function requireConsent(options: LifecycleCommandOptions, io: LifecycleIO, what: string): void {
  if (options.yes || io.interactive) return;
  throw new UserError(`${what} changes the cluster and there is no terminal to confirm on`, {
    hint: `add --yes to confirm in advance (cto never prompts without a terminal or with CI=true)`,
  });
}

async function confirm(message: string): Promise<boolean> {
  const p = await import("@clack/prompts");
  const answer = await p.confirm({ message, initialValue: false, output: process.stderr });
  return !p.isCancel(answer) && answer === true;
}

async function typeName(expected: string): Promise<boolean> {
  const p = await import("@clack/prompts");
  const answer = await p.text({
    message: `This is a production environment. Type its name (${expected}) to destroy it`,
    output: process.stderr,
  });
  return !p.isCancel(answer) && answer === expected;
}

/** A user's "no": exit 0 with the sentence the house style asks for. */
function cancelled(io: LifecycleIO): number {
  io.err("Operation cancelled.");
  return 0;
}

function lifecycleOptions(
  io: LifecycleIO,
  environment: string,
  json: boolean,
): {
  opts: LifecycleOptions;
  dispose: () => void;
} {
  const interrupts = handleInterrupts({ say: io.err, terminal: io.terminal, environment });
  const onProgress = (e: ProgressEvent): void => {
    if (json) {
      io.out(JSON.stringify(e));
      return;
    }
    const line = renderProgressLine(e);
    if (line !== undefined) io.out(line);
  };
  return {
    opts: { env: io.env, signal: interrupts.signal, interrupted: interrupts.interrupted, onProgress },
    dispose: interrupts.dispose,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

const OP_SYMBOL: Record<string, string> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
  "create-replacement": "+-",
  "delete-replaced": "+-",
};

/** Values of a step's changed properties, for `--diff` (secret values show as [secret]). */
function shown(value: unknown): string {
  if (value === undefined) return "(none)";
  if (value && typeof value === "object" && "4dabf18193072939515e22adb298388d" in value) return "[secret]";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The preview grouped by component, with stateful replacements called out. */
export function renderPreview(
  report: PreviewReport,
  opts: {
    diff?: boolean;
    details?: Map<string, { olds?: Record<string, unknown>; news?: Record<string, unknown> }>;
  } = {},
): string[] {
  const lines = [`Preview of ${report.environment}: ${describeChanges(report.changes, "future")}`];
  const byComponent = new Map<string, PlannedStep[]>();
  for (const s of report.steps) byComponent.set(s.component, [...(byComponent.get(s.component) ?? []), s]);
  for (const [component, steps] of byComponent) {
    lines.push(`  ${component}`);
    const rows = steps.map((s) => [
      `    ${OP_SYMBOL[s.op] ?? "?"} ${s.op}`,
      s.label,
      s.resource,
      s.diffs.length > 0 ? `(${s.diffs.join(", ")})` : "",
    ]);
    const rendered = table(["", "", "", ""], rows).split("\n").slice(1);
    steps.forEach((s, i) => {
      lines.push(rendered[i] ?? "");
      if (opts.diff && s.diffs.length > 0) {
        const d = opts.details?.get(s.urn);
        for (const key of s.diffs) {
          lines.push(`        ${key}: ${shown(d?.olds?.[key])} → ${shown(d?.news?.[key])}`);
        }
      }
    });
  }
  if (report.stateful.length > 0) {
    lines.push("");
    lines.push("! These changes replace or delete resources that hold data (it is lost unless backed up):");
    for (const s of report.stateful) lines.push(`!   ${s.op} ${s.label} ${s.resource} (${s.component})`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w.split("\n")[0]}`);
  return lines;
}

function renderResult(report: UpdateReport): string[] {
  const lines = ["", renderFinalTable(report.rows), ""];
  const verb = report.operation === "destroy" ? "destroyed" : report.operation === "refresh" ? "refreshed" : "applied";
  lines.push(
    `${report.environment} ${verb} in ${formatSeconds(report.seconds)}: ${describeChanges(report.changes, "past")}`,
  );
  const outputs = Object.entries(report.outputs);
  if (outputs.length > 0) {
    lines.push("Outputs:");
    for (const [k, v] of outputs) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  if (report.history) lines.push(`Recorded as update ${report.history.n} (cto history --env ${report.environment}).`);
  lines.push(`Engine log: ${report.logFile}`);
  return lines;
}

/** A finished operation: one JSON document with `--json`, else the change table. */
function printResult(report: UpdateReport, io: LifecycleIO, json: boolean): void {
  if (json) io.out(jsonResult(report));
  else for (const line of renderResult(report)) io.out(line);
}

function jsonResult(report: UpdateReport): string {
  return JSON.stringify({
    kind: "result",
    operation: report.operation,
    environment: report.environment,
    changes: report.changes,
    seconds: report.seconds,
    outputs: report.outputs,
    ...(report.crds ? crdsJson(report.crds) : {}),
    update: report.history?.n,
    logFile: report.logFile,
    resources: report.rows.map((r) => ({
      component: r.component,
      resource: r.resource,
      type: r.type,
      op: r.op,
      status: r.status,
      seconds: r.seconds,
    })),
  });
}

/** The CRD cleanup of a destroy in its JSON result. */
function crdsJson(crds: CrdCleanup): Record<string, unknown> {
  return { crdsDeleted: crds.deleted, crdsKept: crds.preexisting, crdsError: crds.error };
}

/** What destroy did with the charts' CRDs: deleted, left because they existed before, or failed. */
function printCrdCleanup(crds: CrdCleanup, io: LifecycleIO, json: boolean): void {
  if (crds.error) io.err(`warning: the CRDs of the platform's charts were not deleted: ${crds.error}`);
  if (json) return;
  if (crds.deleted.length > 0) {
    io.out(`Deleted the ${crds.deleted.length} CRDs of the platform's charts (--keep-crds keeps them).`);
  }
  if (crds.preexisting) {
    io.out(
      `Kept ${crds.preexisting.length} CRDs a chart ships that were on the cluster before it was installed: ` +
        crds.preexisting.join(", "),
    );
  }
}

/** Print what happened before the error travels up to cli/bin.ts (which prints error + fix). */
async function reportFailure(err: unknown, io: LifecycleIO, json: boolean): Promise<never> {
  const { LifecycleError } = await import("../../stacks/lifecycle.js");
  if (err instanceof LifecycleError) {
    if (json) {
      io.out(
        JSON.stringify({
          kind: "error",
          message: err.message,
          fix: err.hint,
          errorKind: err.explanation?.kind,
          cancelled: err.cancelled,
          logFile: err.logFile,
        }),
      );
    } else if (err.rows.length > 0) {
      io.out("");
      io.out(renderFinalTable(err.rows));
    }
  }
  throw err;
}

// ---------------------------------------------------------------------------------------------
// Commands

/** `cto preview` */
export async function runPreview(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { opts, dispose } = lifecycleOptions(io, plan.environment, false);
  try {
    const report = await lifecycle.preview(plan, secrets, {
      ...opts,
      onProgress: undefined,
      refresh: options.refresh,
    });
    if (options.json) io.out(JSON.stringify(report));
    else {
      for (const line of renderPreview(report, { diff: options.diff, details: report.details })) io.out(line);
      io.out(`Engine log: ${report.logFile}`);
    }
    return 0;
  } catch (err) {
    return reportFailure(err, io, Boolean(options.json));
  } finally {
    dispose();
  }
}

/** Shared by up, upgrade and rollback: preview, summary, confirmation, apply. */
async function previewConfirmApply(
  loaded: { plan: Plan; secrets: PlanSecrets },
  options: LifecycleCommandOptions,
  io: LifecycleIO,
  extra: { operation: "up" | "upgrade" | "rollback"; rollbackOf?: number; question: string },
): Promise<number> {
  const { plan, secrets } = loaded;
  const json = Boolean(options.json);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { opts, dispose } = lifecycleOptions(io, plan.environment, json);
  try {
    const report = await lifecycle.preview(plan, secrets, { ...opts, onProgress: undefined, refresh: options.refresh });
    if (json) io.out(JSON.stringify({ kind: "preview", ...report }));
    else for (const line of renderPreview(report, { diff: options.diff, details: report.details })) io.out(line);

    if (report.total === 0 && (await lifecycle.planAlreadyApplied(plan, { env: io.env }))) {
      if (json)
        io.out(
          JSON.stringify({
            kind: "result",
            operation: extra.operation,
            environment: plan.environment,
            changes: report.changes,
            noChanges: true,
          }),
        );
      else io.out(`No changes: ${plan.environment} already matches the plan.`);
      return 0;
    }
    if (!options.yes) {
      if (!(await confirm(extra.question))) return cancelled(io);
    }
    if (!json) io.out("");
    const result = await lifecycle.up(plan, secrets, {
      ...opts,
      operation: extra.operation,
      rollbackOf: extra.rollbackOf,
      total: report.total,
      refresh: options.refresh,
    });
    printResult(result, io, json);
    return 0;
  } catch (err) {
    return reportFailure(err, io, json);
  } finally {
    dispose();
  }
}

/** `cto up` */
export async function runUp(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto up");
  const loaded = await load(options, io);
  await preflight(loaded.plan, options, io);
  return previewConfirmApply(loaded, options, io, {
    operation: "up",
    question: `Apply these changes to ${loaded.plan.environment}?`,
  });
}

/** Prerequisites before `up`; `--skip-checks` skips them with a warning. */
async function preflight(plan: Plan, options: LifecycleCommandOptions, io: LifecycleIO): Promise<void> {
  if (options.skipChecks) {
    io.err("warning: prerequisite checks skipped (--skip-checks): problems will surface as engine errors instead");
    return;
  }
  const [{ runPreflight, renderReport }, { resolveBackend }, webhooks] = await Promise.all([
    import("../../stacks/preflight/index.js"),
    import("../../stacks/backend.js"),
    import("../../stacks/github/webhooks-managed.js"),
  ]);
  const home = ctoHome(io.env);
  const report = await runPreflight(plan, {
    ctoHome: home,
    githubWebhooksManaged: await webhooks.githubWebhooksManaged(plan, io.env, webhooks.pulumiSearchDirs(io.env)),
    state: { backendUrl: resolveBackend(plan, { env: io.env }).url, project: plan.platform.name },
  });
  if (options.json) io.out(JSON.stringify({ kind: "preflight", ok: report.ok, checks: report.checks }));
  if (!report.ok) {
    if (!options.json) io.err(renderReport(report, { color: io.color }));
    throw new UserError("prerequisites are not met (✗ above); nothing was changed", {
      hint: "fix the ✗ items (cto doctor --fix installs what it can), or run cto up --skip-checks to go ahead anyway",
      exitCode: 1,
    });
  }
  const warnings = report.checks.filter((c) => c.status === "warn");
  if (!options.json) {
    io.out(`Prerequisites: ${report.checks.filter((c) => c.status === "ok").length} ok, ${warnings.length} warnings`);
    for (const w of warnings) io.err(`warning: ${w.name}: ${w.reason}`);
  }
}

/** `cto upgrade [--to RELEASE]` */
export async function runUpgrade(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto upgrade");
  const { loadCatalog } = await import("../../profiles/load.js");
  const catalog = await loadCatalog();
  const target = options.to ?? catalog.latestRelease;
  if (!catalog.releases[target]) {
    throw new UserError(`unknown platform release ${target}`, {
      hint: `releases in profiles/versions.yaml: ${Object.keys(catalog.releases).sort().join(", ")}`,
    });
  }
  const current = await load(options, io);
  const next = await load(options, io, target);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { versionChanges } = await import("../../stacks/history.js");
  const applied = (await lifecycle.lastApplied(current.plan, { env: io.env }))?.plan ?? current.plan;
  const changes = versionChanges(applied, next.plan);
  if (options.json) io.out(JSON.stringify({ kind: "versions", from: applied.release, to: target, changes }));
  else {
    io.out(`Upgrade ${next.plan.environment}: release ${applied.release} → ${target}`);
    for (const c of changes.length > 0 ? changes : ["no component version changes"]) io.out(`  ${c}`);
    io.out("");
  }
  return previewConfirmApply(next, options, io, {
    operation: "upgrade",
    question: `Upgrade ${next.plan.environment} to release ${target}?`,
  });
}

/** `cto rollback [--to N]` */
export async function runRollback(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto rollback");
  const current = await load(options, io);
  const to = options.to === undefined ? undefined : Number(options.to);
  if (to !== undefined && (!Number.isInteger(to) || to < 1)) {
    throw new UserError(`--to ${options.to}: expected an update number from cto history`, {
      hint: `cto history --env ${current.plan.environment}`,
    });
  }
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { versionChanges } = await import("../../stacks/history.js");
  const target = await lifecycle.rollbackPlan(current.plan, current.secrets, to, { env: io.env });
  if (target.missingSecrets.length > 0) {
    throw new UserError(
      `update ${target.record.n} used secrets that are not set now: ${target.missingSecrets.join(", ")}`,
      { hint: "set them again (cto secrets set NAME) and re-run cto rollback" },
    );
  }
  const applied = (await lifecycle.lastApplied(current.plan, { env: io.env }))?.plan ?? current.plan;
  const changes = versionChanges(applied, target.plan);
  if (options.json) io.out(JSON.stringify({ kind: "rollback", to: target.record.n, changes }));
  else {
    io.out(
      `Roll ${current.plan.environment} back to update ${target.record.n} (${target.record.operation} of ${target.record.startedAt}, release ${target.record.release})`,
    );
    for (const c of changes.length > 0 ? changes : ["no component version changes"]) io.out(`  ${c}`);
    io.out("");
  }
  return previewConfirmApply({ plan: target.plan, secrets: current.secrets }, options, io, {
    operation: "rollback",
    rollbackOf: target.record.n,
    question: `Roll ${current.plan.environment} back to update ${target.record.n}?`,
  });
}

/** `cto refresh` */
export async function runRefresh(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets } = await load(options, io);
  const json = Boolean(options.json);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { opts, dispose } = lifecycleOptions(io, plan.environment, json);
  try {
    const result = await lifecycle.refresh(plan, secrets, { ...opts, clearPending: options.clearPending });
    printResult(result, io, json);
    return 0;
  } catch (err) {
    return reportFailure(err, io, json);
  } finally {
    dispose();
  }
}

/** `cto destroy` */
export async function runDestroy(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto destroy");
  const { plan, secrets } = await load(options, io);
  const env = plan.environment;
  if (plan.production && !io.interactive && options.confirm !== env) {
    throw new UserError(`${env} is a production environment: destroying it without a terminal needs its name`, {
      hint: `cto destroy --env ${env} --yes --confirm ${env}`,
    });
  }
  const json = Boolean(options.json);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { opts, dispose } = lifecycleOptions(io, env, json);
  try {
    const pv = await lifecycle.previewDestroy(plan, secrets, { ...opts, onProgress: undefined });
    if (json) io.out(JSON.stringify({ kind: "preview", environment: env, changes: pv.changes, total: pv.total }));
    else io.out(`Destroy ${env}: ${pv.total} resource(s) will be deleted (the stack and its history are kept).`);
    if (pv.total === 0) {
      // An earlier destroy may have been interrupted after the engine's part, before the CRDs went.
      const crds = await lifecycle.finishInterruptedDestroy(plan, {
        env: opts.env,
        keepCrds: Boolean(options.keepCrds),
      });
      if (json)
        io.out(
          JSON.stringify({
            kind: "result",
            operation: "destroy",
            environment: env,
            changes: {},
            noChanges: true,
            ...(crds ? crdsJson(crds) : {}),
          }),
        );
      else io.out(`Nothing to destroy: ${env} is empty.`);
      if (crds) printCrdCleanup(crds, io, json);
      return 0;
    }
    if (plan.production && io.interactive && options.confirm !== env) {
      if (!(await typeName(env))) return cancelled(io);
    } else if (!options.yes && !(await confirm(`Delete everything in ${env}?`))) {
      return cancelled(io);
    }
    const result = await lifecycle.destroy(plan, secrets, { ...opts, keepCrds: Boolean(options.keepCrds) });
    printResult(result, io, json);
    if (result.crds) printCrdCleanup(result.crds, io, json);
    return 0;
  } catch (err) {
    return reportFailure(err, io, json);
  } finally {
    dispose();
  }
}

/** `cto stacks` */
export async function runStacks(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const list = await lifecycle.listStacks(plan, { env: io.env });
  if (options.json) {
    io.out(JSON.stringify({ project: plan.platform.name, stacks: list }));
    return 0;
  }
  if (list.length === 0) {
    io.out(`No environments of ${plan.platform.name} yet (cto up --env ENV creates one).`);
    return 0;
  }
  io.out(
    table(
      ["environment", "last update", "resources", "state"],
      list.map((s) => [
        s.environment,
        s.lastUpdate ?? "never",
        String(s.resourceCount ?? 0),
        s.updateInProgress ? "update in progress" : "",
      ]),
    ),
  );
  return 0;
}

/** `cto history` */
export async function runHistory(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const entries = await lifecycle.history(plan, { env: io.env });
  if (options.json) {
    io.out(JSON.stringify({ environment: plan.environment, updates: entries }));
    return 0;
  }
  if (entries.length === 0) {
    io.out(`No updates recorded for ${plan.environment} yet.`);
    return 0;
  }
  io.out(
    table(
      ["#", "operation", "result", "started", "release", "profile", "changes", "by"],
      entries.map((e) => [
        String(e.n),
        e.operation + (e.rollbackOf !== undefined ? ` to ${e.rollbackOf}` : ""),
        e.status,
        e.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
        e.release,
        e.profile,
        e.changes ? describeChanges(e.changes, "past") : "",
        e.user && e.host ? `${e.user}@${e.host}` : "",
      ]),
    ),
  );
  io.out(`cto rollback --env ${plan.environment} --to N re-applies update N.`);
  return 0;
}

/** `cto status`: exit 1 when a component is unhealthy or the stack is locked by a dead run. */
export async function runStatus(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { describeLock } = await import("../../stacks/lock.js");
  const st = await lifecycle.status(plan, secrets, { env: io.env });
  const kubeconfig = kubeconfigOf(plan, io.env);
  let health: import("../../stacks/diagnose/index.js").HealthReport | undefined;
  if (st.resourceCount > 0 && kubeconfig) {
    const { componentHealth } = await import("../../stacks/diagnose/index.js");
    health = await componentHealth(kubeconfig, plan, { diagnoseProblems: !options.json });
  }
  const healthy = health ? health.healthy : true;
  if (options.json) {
    io.out(JSON.stringify({ ...st, healthy, health }));
    return healthy ? 0 : 1;
  }
  io.out(`${st.project}/${st.environment}  (${st.backend})`);
  io.out(
    st.lastUpdate
      ? `Last update: ${st.lastUpdate.kind} ${st.lastUpdate.result} at ${st.lastUpdate.startTime} (engine update ${st.lastUpdate.version})`
      : "Last update: never",
  );
  io.out(`Resources: ${st.resourceCount}`);
  for (const l of st.locks) io.out(`Locked by ${describeLock(l)}`);
  const outputs = Object.entries(st.outputs);
  if (outputs.length > 0) {
    io.out("Outputs:");
    for (const [k, v] of outputs) io.out(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  if (health) {
    const { renderHealth } = await import("../../stacks/diagnose/index.js");
    io.out("");
    io.out(renderHealth(health));
  } else if (st.resourceCount > 0) {
    io.out("Component health: no kubeconfig known for this cluster (set cluster.kubeconfig in cto.yaml)");
  }
  return healthy ? 0 : 1;
}

/** Where the plan's cluster kubeconfig is, if known. */
function kubeconfigOf(plan: Plan, env: NodeJS.ProcessEnv): string | undefined {
  const c = plan.cluster;
  if (c.provider === "existing") return c.kubeconfig ?? env.KUBECONFIG?.split(":")[0];
  return c.kubeconfigPath;
}

/** `cto cancel`: clear a stale lock (only after confirmation). */
export async function runCancel(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle.js");
  const { describeLock } = await import("../../stacks/lock.js");
  const held = await lifecycle.locks(plan, { env: io.env });
  const { resolveBackend } = await import("../../stacks/backend.js");
  const fileBackend = resolveBackend(plan, { env: io.env }).kind === "file";
  if (fileBackend && held.length === 0) {
    if (options.json) io.out(JSON.stringify({ environment: plan.environment, locked: false, removed: [] }));
    else io.out(`${plan.environment} is not locked.`);
    return 0;
  }
  for (const l of held) io.err(`${plan.environment} is locked by ${describeLock(l)}`);
  if (held.some((l) => l.alive === true) && !options.force) {
    throw new UserError(`the run holding the lock of ${plan.environment} is still going`, {
      hint: "wait for it to finish; clearing a live lock lets two updates corrupt the state (--force overrides)",
      exitCode: 1,
    });
  }
  if (!options.yes) {
    if (!io.interactive) {
      throw new UserError("clearing a lock needs confirmation and there is no terminal to ask on", {
        hint: `cto cancel --env ${plan.environment} --yes`,
      });
    }
    if (!(await confirm(`Clear the lock of ${plan.environment}? Only do this when that run is gone.`))) {
      return cancelled(io);
    }
  }
  const result = await lifecycle.cancel(plan, secrets, { env: io.env });
  if (options.json) io.out(JSON.stringify({ environment: plan.environment, locked: false, removed: result.removed }));
  else {
    io.out(result.message);
    io.out(`Next: cto up --env ${plan.environment} (it finishes what the interrupted run left pending)`);
  }
  return 0;
}
