/**
 * Recording an environment's platform release in `cto.yaml`, as `cto upgrade` and `cto rollback`
 * do, so the next plain `cto up` keeps it (without `release:` cto uses the newest release it knows, which moves
 * with every cto version).
 *
 * Where: `environments.<env>.release` when the file declares environments (only that environment
 * moves), else the top-level `release` (a file without environments is one setting for every stack).
 * How: one line edited or added in place (`yaml-edit.ts`); comments and layout stay as written.
 * The edit is computed before anything runs, shown in the preview, and written only after the
 * upgrade (or rollback) succeeded: until then the file names the release the environment had.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { UserError } from "./errors.js";
import type { CtoConfig } from "./schema.js";
import { writeFileAtomic } from "./atomic-write.js";
import { scalarSourceAt, setYamlString, YamlEditError, type Hunk } from "./yaml-edit.js";

export interface ReleaseEdit {
  file: string;
  /** Dotted config path set: `environments.dev.release` or `release`. */
  path: string;
  release: string;
  /** What the file said there before (undefined: nothing). */
  previous?: string;
  /** The text the file had when the edit was computed, and the text it gets. */
  before: string;
  after: string;
  hunk: Hunk;
  /** The command that records it (`cto upgrade`, `cto rollback`): named in the comment and messages. */
  by: RecordingCommand;
}

export type RecordingCommand = "cto upgrade" | "cto rollback";

type ReleaseConfig = Pick<CtoConfig, "environments" | "release">;

/** The config path that holds an environment's release. */
export function releasePath(config: Pick<CtoConfig, "environments">, environment: string): string[] {
  return Object.keys(config.environments).length > 0 ? ["environments", environment, "release"] : ["release"];
}

/**
 * The edit that makes `file` name `release` for `environment`; undefined when it already does.
 * `config` is the file as loaded (values interpolated).
 * @throws UserError when the value there is a `${VAR}` reference or the layout cannot be edited safely.
 */
export async function releaseEdit(
  file: string,
  config: ReleaseConfig,
  environment: string,
  release: string,
  by: RecordingCommand = "cto upgrade",
): Promise<ReleaseEdit | undefined> {
  const where = releasePath(config, environment);
  const previous = where.length === 1 ? config.release : config.environments[environment]?.release;
  if (previous === release) return undefined;
  return editText(await readFile(file, "utf8"), file, where, release, previous, by);
}

function editText(
  before: string,
  file: string,
  where: string[],
  release: string,
  previous: string | undefined,
  by: RecordingCommand,
): ReleaseEdit {
  const dotted = where.join(".");
  const fix = `write ${dotted}: "${release}" in ${file} yourself, then run ${by} again`;
  const raw = scalarSourceAt(before, where);
  if (raw?.includes("${")) {
    throw new UserError(`${file}: ${dotted} is ${raw}, a reference ${by} does not rewrite`, {
      hint: `set that variable to ${release}, or ${fix}`,
    });
  }
  try {
    const { text, hunk } = setYamlString(before, where, release, `set by ${by}`);
    return { file, path: dotted, release, previous, before, after: text, hunk, by };
  } catch (err) {
    if (!(err instanceof YamlEditError)) throw err;
    throw new UserError(`cannot record release ${release} in ${file} at ${dotted}: ${err.message}`, { hint: fix });
  }
}

/**
 * Write the edit. The file is read again first: if it changed since the preview, the same value is
 * set in what is there now. Atomic (temporary file, rename); the file keeps its mode, and a
 * symbolic link keeps pointing at the file it names.
 */
export async function writeReleaseEdit(edit: ReleaseEdit): Promise<ReleaseEdit> {
  const done = `the ${edit.by.slice("cto ".length)} itself succeeded; write ${edit.path}: "${edit.release}" in ${edit.file} so the next cto up keeps it`;
  try {
    const current = await readFile(edit.file, "utf8");
    const final =
      current === edit.before
        ? edit
        : editText(current, edit.file, edit.path.split("."), edit.release, edit.previous, edit.by);
    const target = await realpath(edit.file);
    await writeFileAtomic(target, final.after, { mode: (await stat(target)).mode & 0o777, exactMode: true });
    return final;
  } catch (err) {
    throw new UserError(`could not record the release in ${edit.file}: ${(err as Error).message}`, {
      hint: done,
      exitCode: 1,
    });
  }
}
