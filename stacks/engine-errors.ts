/**
 * One table that turns known Pulumi engine failures into a plain sentence and a fix.
 *
 * The engine reports failures as text (stderr of the CLI, or `diagnosticEvent` messages); each
 * rule below matches one family of messages and says what it means for a `cto` user. The first
 * matching rule wins, so the more specific rules come first. Anything unmatched is returned as
 * `undefined` and the caller shows the engine's own message with the log file path.
 */
import type { Plan } from "../profiles/plan.js";

export type EngineErrorKind =
  | "lock-held"
  | "wrong-passphrase"
  | "missing-passphrase"
  | "pending-operations"
  | "cluster-unreachable"
  | "chart-not-found"
  | "chart-repo-unreachable"
  | "crd-missing"
  | "plugin-missing"
  | "stack-not-found";

/** What went wrong, in plain words, and what to do about it. */
export interface EngineErrorExplanation {
  kind: EngineErrorKind;
  /** One sentence naming what failed (component, version, lock holder … when known). */
  message: string;
  /** A command or action that fixes it. */
  fix: string;
}

/** What the table knows about the run, to make messages concrete. */
export interface EngineErrorContext {
  /** Stack (= environment) name, for commands in fixes. */
  environment?: string;
  /** The plan, to name the component a chart or CRD belongs to. */
  plan?: Pick<Plan, "components">;
  /** The passphrase file `cto` uses, for the passphrase fix. */
  passphraseFile?: string;
}

/** One lock file of the diy (file/object storage) backend as the engine describes it. */
export interface LockHolder {
  file?: string;
  user: string;
  host: string;
  pid?: number;
  time?: string;
}

interface Rule {
  kind: EngineErrorKind;
  test: RegExp;
  explain(match: RegExpExecArray, text: string, ctx: EngineErrorContext): Omit<EngineErrorExplanation, "kind">;
}

const envFlag = (ctx: EngineErrorContext): string => (ctx.environment ? ` --env ${ctx.environment}` : "");

/**
 * Lock lines as the diy backend prints them:
 * `file:///…/.pulumi/locks/organization/acme/dev/<id>.json: created by alice@build-1 (pid 4242) at 2026-11-25T12:00:00Z`.
 */
export function parseLockHolders(text: string): LockHolder[] {
  const re = /(?:(\S+?\.json)(?:\?[^\s:]*)?:\s*)?created by ([^@\s]+)@(\S+) \(pid (\d+)\) at (\S+)/g;
  const out: LockHolder[] = [];
  for (const m of text.matchAll(re)) {
    out.push({ file: m[1], user: m[2] as string, host: m[3] as string, pid: Number(m[4]), time: m[5] });
  }
  return out;
}

/** `alice@build-1 (pid 4242) since 2026-11-25T12:00:00Z` */
export function describeLockHolder(h: LockHolder): string {
  return `${h.user}@${h.host}${h.pid !== undefined ? ` (pid ${h.pid})` : ""}${h.time ? ` since ${h.time}` : ""}`;
}

/** Chart name → the plan component that installs it ("kube-prometheus-stack" → "monitoring"). */
function componentForChart(chart: string, ctx: EngineErrorContext): string | undefined {
  const name = chart.replace(/^.*\//, "");
  return ctx.plan?.components.find((c) => c.chart?.chart === name || c.name === name)?.name;
}

/** API groups whose CRDs come from a component (used when a custom resource's kind is unknown). */
const CRD_GROUP_COMPONENT: [RegExp, string][] = [
  [/^argoproj\.io$/, "argo-cd / argo-workflows / argo-events"],
  [/^monitoring\.coreos\.com$/, "monitoring"],
  [/^postgresql\.cnpg\.io$/, "postgres-operator"],
  [/^redis\.redis\.opstreelabs\.in$/, "redis-operator"],
  [/^(cert-manager|acme\.cert-manager)\.io$/, "cert-manager"],
  [/^velero\.io$/, "backup"],
  [/^external-secrets\.io$/, "external-secrets"],
];

const KIND_COMPONENT: Record<string, string> = {
  Application: "argo-cd",
  ApplicationSet: "argo-cd",
  AppProject: "argo-cd",
  Workflow: "argo-workflows",
  WorkflowTemplate: "argo-workflows",
  ClusterWorkflowTemplate: "argo-workflows",
  CronWorkflow: "argo-workflows",
  EventSource: "argo-events",
  Sensor: "argo-events",
  EventBus: "argo-events",
};

function crdOwner(kind: string, apiVersion: string): string | undefined {
  if (KIND_COMPONENT[kind]) return KIND_COMPONENT[kind];
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : apiVersion;
  return CRD_GROUP_COMPONENT.find(([re]) => re.test(group ?? ""))?.[1];
}

/** The table. Order matters: first match wins. */
export const ENGINE_ERROR_RULES: Rule[] = [
  {
    kind: "lock-held",
    test: /the stack is currently locked by (\d+) lock|Another update is currently in progress/,
    explain(_m, text, ctx) {
      const holders = parseLockHolders(text);
      const who = holders.length > 0 ? holders.map(describeLockHolder).join(", ") : "another update";
      return {
        message: `stack ${ctx.environment ?? ""} is locked by ${who}`.replace("  ", " "),
        fix:
          `wait for that run to finish; if it is no longer running (crashed or killed), ` +
          `run cto cancel${envFlag(ctx)} to clear the lock, then cto refresh${envFlag(ctx)}`,
      };
    },
  },
  {
    kind: "wrong-passphrase",
    test: /incorrect passphrase|failed to decrypt|invalid passphrase|cipher: message authentication failed/i,
    explain(_m, _t, ctx) {
      return {
        message:
          `the passphrase does not decrypt stack ${ctx.environment ?? ""} (it was created with another one)`.replace(
            "  ",
            " ",
          ),
        fix:
          `set PULUMI_CONFIG_PASSPHRASE_FILE to the file holding the passphrase this stack was created with` +
          (ctx.passphraseFile ? ` (cto's default is ${ctx.passphraseFile}; restore it from your backup)` : ""),
      };
    },
  },
  {
    kind: "missing-passphrase",
    test: /passphrase must be set with PULUMI_CONFIG_PASSPHRASE/,
    explain(_m, _t, ctx) {
      return {
        message: "no passphrase was available to the engine for this stack's secrets",
        fix: `export PULUMI_CONFIG_PASSPHRASE_FILE=<file with the passphrase>${
          ctx.passphraseFile ? `, or restore ${ctx.passphraseFile}` : ""
        }`,
      };
    },
  },
  {
    kind: "pending-operations",
    test: /has (\d+) resources?(?:\(s\))? with pending operations|pending operations? .*interrupted/i,
    explain(m, _t, ctx) {
      return {
        message: `an earlier run was interrupted and left ${m[1] ?? "some"} operation(s) pending`,
        fix: `cto refresh${envFlag(ctx)} --clear-pending   (reads the cluster and settles the pending operations), then cto up${envFlag(ctx)}`,
      };
    },
  },
  {
    kind: "plugin-missing",
    test: /no resource plugin '?(?:pulumi-resource-)?([\w-]+)'? found|could not (?:find|load) plugin (?:for )?'?([\w-]+)'?|failed to load plugin ([\w-]+)/i,
    explain(m) {
      const name = (m[1] ?? m[2] ?? m[3] ?? "").replace(/^pulumi-resource-/, "");
      const version = /at version v?(\d[\w.+-]*)/.exec(m.input)?.[1];
      return {
        message:
          `the Pulumi resource plugin "${name}"${version ? ` ${version}` : ""} is not installed ` +
          "(cto does not let the engine download plugins)",
        fix:
          name === "kubernetes"
            ? "cto doctor --fix   (installs the pinned kubernetes plugin into ~/.cto/bin, SHA-256 checked); offline: bash scripts/toolchain.sh builds it"
            : `put pulumi-resource-${name}${version ? ` ${version}` : ""} into ~/.cto/bin, on PATH or in the directory named by CTO_PULUMI_BIN_DIR ` +
              `(pulumi plugin install resource ${name}${version ? ` ${version}` : ""} fetches it where there is network; bash scripts/toolchain.sh builds the ones that can be built here)`,
      };
    },
  },
  {
    kind: "chart-not-found",
    test: /chart "([^"]+)" version "([^"]+)" not found|chart "([^"]+)" not found in (\S+)|failed to (?:fetch|download) "?([^"\s]+?)-(\d[\w.+-]*?)(?:\.tgz)?"?(?:\s|$)|([\w./:-]+):(\d[\w.+-]*): not found/,
    explain(m, _t, ctx) {
      const chart = m[1] ?? m[3] ?? m[5] ?? m[7] ?? "?";
      const version = m[2] ?? m[6] ?? m[8];
      const component = componentForChart(chart, ctx);
      const what = `${component ? `component ${component}: ` : ""}chart ${chart.replace(/^.*\//, "")}${
        version ? ` version ${version}` : ""
      }`;
      return {
        message: `${what} was not found${m[4] ? ` in ${m[4]}` : ""}`,
        fix:
          `check that the chart repository is reachable and still serves that version ` +
          `(helm search repo ${chart.replace(/^.*\//, "")} --versions); pick another platform release with ` +
          `cto upgrade --to <release>, or fix the pin in profiles/versions.yaml`,
      };
    },
  },
  {
    // Before cluster-unreachable: Helm's "connection refused" to the chart repository names a URL
    // too, and was reported as "the Kubernetes cluster at <the repository> did not answer".
    kind: "chart-repo-unreachable",
    test: /looks like "([^"]+)" is not a valid chart repository or cannot be reached/,
    explain(m, text, ctx) {
      const chart = /property chart value \{([^}]+)\}/.exec(text)?.[1];
      const component = chart ? componentForChart(chart, ctx) : undefined;
      return {
        message: `${component ? `component ${component}: ` : ""}the chart repository ${m[1]} cannot be reached${
          chart ? ` (chart ${chart})` : ""
        }`,
        fix:
          `check that ${m[1]}/index.yaml answers (a mirror must be running), or point ` +
          `charts.${component ?? "<component>"}.repository / charts.default.repository in cto.yaml at a reachable ` +
          `repository, then run cto up${envFlag(ctx)} again`,
      };
    },
  },
  {
    kind: "crd-missing",
    test: /no matches for kind "([^"]+)" in version "([^"]+)"|resource mapping not found for name: .* kind "([^"]+)" in version "([^"]+)"/,
    explain(m) {
      const kind = m[1] ?? m[3] ?? "?";
      const apiVersion = m[2] ?? m[4] ?? "?";
      const owner = crdOwner(kind, apiVersion);
      return {
        message: `the cluster has no CustomResourceDefinition for ${kind} (${apiVersion})${
          owner ? `, which component ${owner} installs` : ""
        }`,
        fix: owner
          ? `make sure ${owner} is enabled and installed first (cto status shows its CRDs), then run cto up again`
          : `install the CRD for ${kind} (${apiVersion}) before the resources that use it, then run cto up again`,
      };
    },
  },
  {
    kind: "cluster-unreachable",
    test: /configured Kubernetes cluster is unreachable|Unable to connect to the server|dial tcp [^:]+:\d+: connect: connection refused|connect: connection refused|dial tcp: lookup \S+ (?:on \S+: )?no such host|i\/o timeout|failed to get server version|context deadline exceeded.*(?:apiserver|kubernetes)/i,
    explain(_m, text, ctx) {
      const endpoint = /(https?:\/\/[\w.-]+(?::\d+)?)/.exec(text)?.[1] ?? /dial tcp ([\d.:[\]a-f]+)/.exec(text)?.[1];
      return {
        message: `the Kubernetes cluster${endpoint ? ` at ${endpoint}` : ""} did not answer`,
        fix: `start the cluster (or check the kubeconfig in cto.yaml), check it with kubectl get nodes, then cto up${envFlag(ctx)}`,
      };
    },
  },
  {
    kind: "stack-not-found",
    test: /no stack named '?([\w./-]+)'? found/,
    explain(m, _t, ctx) {
      return {
        message: `stack ${m[1]} does not exist in this state backend`,
        fix: `run cto up${envFlag(ctx)} to create it, or check state.backend_url / PULUMI_BACKEND_URL`,
      };
    },
  },
];

/** The first rule that explains `text`, or undefined when the failure is not a known one. */
export function explainEngineError(text: string, ctx: EngineErrorContext = {}): EngineErrorExplanation | undefined {
  for (const rule of ENGINE_ERROR_RULES) {
    const m = rule.test.exec(text);
    if (m) return { kind: rule.kind, ...rule.explain(m, text, ctx) };
  }
  return undefined;
}
