/**
 * `cto init`: gather answers (flags first, prompts for the rest when a person is at a terminal),
 * build the commented cto.yaml, validate it with the same loader every command uses, and only
 * then put it in place. A cancel or an error leaves the directory as it was.
 */
import { existsSync, linkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../../config/errors.js";
import { configFilePath, type CommandIO } from "../context.js";
import { buildInitDocument, type DocumentInputs } from "./document.js";
import { Cancelled, checkFlags, gatherAnswers, promptsAhead, type Prompter } from "./gather.js";
import { FEATURES, splitList, type InitChoices } from "./questions.js";
import type { InitCommandOptions } from "../commands/init.js";

/** `cto init`'s flags, typed from their declaration in cli/commands/init.ts. */
export type InitOptions = InitCommandOptions;

export interface InitIO extends CommandIO {
  /** A person at a terminal and no CI: prompts allowed (unless --yes). */
  terminal: boolean;
  choices: InitChoices;
  /** Draws the prompts; only called when prompting. */
  prompter: () => Prompter;
  /** Wizard chrome (intro, notes, outro); plain lines when not prompting. */
  ui: {
    intro(title: string): void;
    note(text: string, title: string): void;
    outro(text: string): void;
    cancel(text: string): void;
  };
  /**
   * Validates the written file with loadConfig (a failure is a bug in the generator) and returns
   * what still stops its plan from resolving (e.g. the production profile's backup bucket), one
   * line per problem: answers the wizard does not ask for, which the user adds before `cto up`.
   */
  validate: (file: string, env: NodeJS.ProcessEnv) => Promise<string[]>;
}

function parseFeatures(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = splitList(raw);
  const unknown = list.filter((f) => !(FEATURES as readonly string[]).includes(f));
  if (unknown.length > 0) {
    throw new UserError(`--features: unknown feature ${unknown.map((f) => `'${f}'`).join(", ")}`, {
      hint: `use a comma-separated list of: ${FEATURES.join(", ")}`,
    });
  }
  return list;
}

/** Runs the wizard; returns the exit code. */
export async function runInit(options: InitOptions, io: InitIO): Promise<number> {
  const target = configFilePath(options, io);
  const features = parseFeatures(options.features);
  const interactive = io.terminal && !options.yes;
  const prompter = interactive ? io.prompter() : undefined;
  if (interactive) io.ui.intro("cto init");
  try {
    checkFlags(options, io.choices);
    if (!existsSync(dirname(target))) {
      throw new UserError(`cannot write ${target}: the directory ${dirname(target)} does not exist`, {
        hint: `create it first (mkdir -p ${dirname(target)}) or pass another -f FILE`,
      });
    }
    const exists = existsSync(target);
    const remote = io.choices.gitRemote;
    const fromRemote = remote
      ? `github.com/${remote.organization}/${remote.repository} (git remote ${remote.remote})`
      : "";
    if (prompter && remote && (options.org === undefined || options.repo === undefined)) {
      io.ui.note(`The organisation and repository default to ${fromRemote}.`, "Defaults");
    }
    // A person is asked about the existing file first, before answering everything else; a script
    // hears about every missing flag first, then about the file.
    let promptsBefore = 0;
    if (exists && !options.force && prompter) {
      const step = { n: 1, of: 1 + promptsAhead(options, io.choices, {}) };
      if (!(await prompter.confirm(`${basename(target)} exists. Replace it?`, false, step))) {
        io.ui.outro(`Kept ${target}; nothing written.`);
        return 0;
      }
      promptsBefore = 1;
    }
    const answers = await gatherAnswers(options, io.choices, { interactive, prompter, promptsBefore });
    if (exists && !options.force && !prompter) {
      throw new UserError(`${target} exists; cto init does not overwrite it`, {
        hint: "pass --force to replace it, or -f OTHER.yaml to write another file",
      });
    }
    const inputs: DocumentInputs = { ...answers, features };
    const doc = buildInitDocument(inputs);

    // Validate before the file is in place. Referenced variables that are not set yet get a
    // placeholder here: they are needed by `cto up`, not by the file's validity.
    const placeholders = Object.fromEntries(doc.envRefs.filter((v) => !io.env[v]).map((v) => [v, "placeholder"]));
    const temp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
    writeFileSync(temp, doc.text, { mode: 0o644 });
    let needed: string[];
    try {
      needed = await io.validate(temp, { ...io.env, ...placeholders });
      if (exists) renameSync(temp, target);
      else linkSync(temp, target); // fails rather than replace a file created meanwhile
    } finally {
      rmSync(temp, { force: true });
    }

    const unset = Object.keys(placeholders);
    const next = [
      ...needed.map((n) => `before cto up, fix ${n}`),
      "cto config validate",
      "cto config show --resolved",
      "cto doctor",
      ...(unset.length > 0 ? [`set ${unset.join(", ")} in the environment before cto up`] : []),
    ];
    const summary = `platform ${answers.name}, ${answers.profile} profile, ${answers.provider} cluster, agents ${answers.agents.join(", ")}`;
    if (interactive) {
      io.ui.note(next.join("\n"), "Next");
      io.ui.outro(`Wrote ${target} (${summary}).`);
    } else {
      if (remote && options.org === undefined && answers.organization === remote.organization) {
        io.print(
          `GitHub organisation${answers.repository === remote.repository && options.repo === undefined ? " and repository" : ""} from ${fromRemote}.`,
        );
      }
      io.print(`Wrote ${target} (${summary}).`);
      io.print("Next:");
      for (const step of next) io.print(`  ${step}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof Cancelled) {
      io.ui.cancel("Operation cancelled.");
      return 0;
    }
    throw err;
  }
}
