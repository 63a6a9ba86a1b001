/**
 * Turns flags (and, where a flag is missing and prompting is allowed, prompts) into `InitAnswers`.
 * It never writes anything; `run.ts` does that once every answer is in.
 */
import { UserError } from "../../config/errors.js";
import { QUESTIONS, splitList, type Choice, type InitAnswers, type InitChoices, type Question } from "./questions.js";

/** Thrown by a prompter when the user cancels (Ctrl-C, Esc). */
export class Cancelled extends Error {
  constructor() {
    super("Operation cancelled.");
    this.name = "Cancelled";
  }
}

/** Where a prompt stands: step `n` of `of` prompts (every prompt shows it). */
export interface Step {
  n: number;
  of: number;
}

/** Asks one question; throws `Cancelled` when the user cancels. */
export interface Prompter {
  text(q: Question, initial: string | undefined, step: Step): Promise<string>;
  select(q: Question, choices: Choice[], initial: string | undefined, step: Step): Promise<string>;
  multiselect(q: Question, choices: Choice[], initial: string[], step: Step): Promise<string[]>;
  confirm(message: string, initial: boolean, step: Step): Promise<boolean>;
}

/** Flag values as commander parsed them (strings; `--agents` still comma-separated). */
export type InitFlags = Partial<Record<string, string | boolean | undefined>>;

/** The usage of a flag for messages: `--org ORG`. */
export function flagUsage(q: Question): string {
  return q.flag.replace(/<([^>]+)>/, "$1");
}

function flagValue(q: Question, flags: InitFlags): string | string[] | undefined {
  const raw = flags[q.option];
  if (typeof raw !== "string") return undefined;
  return q.kind === "multiselect" ? splitList(raw) : raw.trim();
}

/**
 * Every flag that was given, checked before anything is asked: a bad flag is reported (all of
 * them at once) without making the user answer prompts first. Also rejects flags that make no
 * sense together.
 */
export function checkFlags(flags: InitFlags, choices: InitChoices): void {
  const problems: string[] = [];
  for (const q of QUESTIONS) {
    const value = flagValue(q, flags);
    if (value === undefined) continue;
    const message = q.validate(value, choices);
    if (message) problems.push(`${flagUsage(q).split(" ")[0]} ${JSON.stringify(flags[q.option])}: ${message}`);
  }
  if (typeof flags.registryUrl === "string" && (flags.registry ?? "local") === "local") {
    problems.push("--registry-url is only used with --registry other than local");
  }
  const tunnelUrl = typeof flags.tunnelUrl === "string" ? flags.tunnelUrl.trim() : undefined;
  if ((tunnelUrl || flags.tunnel !== undefined) && typeof flags.domain === "string" && flags.domain.trim() !== "") {
    problems.push(
      "--tunnel-url and --tunnel are for a platform without --domain (the domain's ingress receives webhooks)",
    );
  }
  if ((tunnelUrl || flags.tunnel !== undefined) && flags.provider === "existing") {
    problems.push(
      "--tunnel-url and --tunnel are for a local cluster (kind, k3s, minikube); an existing cluster uses its own ingress",
    );
  }
  if (typeof flags.tunnel === "string" && flags.tunnel !== "none" && !tunnelUrl) {
    problems.push(`--tunnel ${flags.tunnel} needs --tunnel-url (the public URL GitHub delivers to)`);
  }
  if (problems.length > 0) {
    throw new UserError(
      problems.length === 1 ? `bad option: ${problems[0]}` : `bad options:\n  ${problems.join("\n  ")}`,
      { hint: "see cto init --help" },
    );
  }
}

/**
 * How many questions from `QUESTIONS[from]` on will be prompted, judged by what is known now: the
 * answers so far, and for the rest their flag or default (so the registry host question counts
 * once a registry other than local is chosen). The total a prompt shows can therefore grow by one
 * when an answer brings in a follow-up question, and never shrinks.
 */
export function promptsAhead(
  flags: InitFlags,
  choices: InitChoices,
  answers: Partial<Record<keyof InitAnswers, string | string[]>>,
  from = 0,
): number {
  const known: Partial<Record<keyof InitAnswers, string | string[]>> = { ...answers };
  let count = 0;
  for (const q of QUESTIONS.slice(from)) {
    const sofar = known as Partial<InitAnswers>;
    if (q.when && !q.when(sofar)) continue;
    const given = flagValue(q, flags);
    if (given !== undefined) {
      known[q.key] = given;
      continue;
    }
    if (q.prompted !== false) count++;
    const fallback = q.defaultValue(sofar, choices);
    if (fallback !== undefined) known[q.key] = fallback;
  }
  return count;
}

/**
 * Answers every question: from its flag, else from a prompt when `interactive`, else from its
 * default. Without a prompt, questions that have no default and no flag are collected and reported
 * together as the flags to pass (exit 2).
 */
export async function gatherAnswers(
  flags: InitFlags,
  choices: InitChoices,
  options: {
    interactive: boolean;
    prompter?: Prompter;
    /** Prompts shown before these (the overwrite question). */ promptsBefore?: number;
  },
): Promise<InitAnswers> {
  checkFlags(flags, choices);
  const answers: Partial<Record<keyof InitAnswers, string | string[]>> = {};
  const missing: Question[] = [];
  let asked = options.promptsBefore ?? 0;
  for (const [index, q] of QUESTIONS.entries()) {
    const sofar = answers as Partial<InitAnswers>;
    if (q.when && !q.when(sofar)) continue;
    const given = flagValue(q, flags);
    if (given !== undefined) {
      answers[q.key] = given;
      continue;
    }
    const fallback = q.defaultValue(sofar, choices);
    if (options.interactive && options.prompter && q.prompted !== false) {
      const step = { n: asked + 1, of: asked + promptsAhead(flags, choices, answers, index) };
      answers[q.key] = await ask(q, options.prompter, choices, sofar, fallback, step);
      asked++;
      continue;
    }
    if (fallback !== undefined) answers[q.key] = fallback;
    else if (!(q.derivedFrom && answers[q.derivedFrom] === undefined)) missing.push(q);
  }
  if (missing.length > 0) {
    const list = missing.map(flagUsage).join(" ");
    throw new UserError(`cto init cannot prompt here and these answers are missing: ${list}`, {
      hint: `pass them as flags, e.g. cto init --yes ${missing
        .map((q) => `${flagUsage(q).split(" ")[0]} ${q.placeholder ?? "VALUE"}`)
        .join(" ")}`,
    });
  }
  return answers as unknown as InitAnswers;
}

async function ask(
  q: Question,
  prompter: Prompter,
  choices: InitChoices,
  sofar: Partial<InitAnswers>,
  fallback: string | string[] | undefined,
  step: Step,
): Promise<string | string[]> {
  const offered = q.choices?.(choices, sofar) ?? [];
  if (q.kind === "select")
    return prompter.select(q, offered, typeof fallback === "string" ? fallback : undefined, step);
  if (q.kind === "multiselect") {
    const initial = Array.isArray(fallback) ? fallback : [];
    // Offer defaults that are not in the catalogue too, so the default is always selectable.
    const names = new Set(offered.map((c) => c.value));
    return prompter.multiselect(
      q,
      [...offered, ...initial.filter((v) => !names.has(v)).map((value) => ({ value }))],
      initial,
      step,
    );
  }
  return prompter.text(q, typeof fallback === "string" ? fallback : undefined, step);
}
