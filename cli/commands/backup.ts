/**
 * `cto backup list | create | restore`: the environment's Velero backups — list them, make one now,
 * restore one. Work: cli/backup/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { canPrompt, envFlag, examples, fileFlag, jsonFlag, processIO, yesFlag, type OptionsOf } from "../context.js";
import type { BackupIO } from "../backup/run.js";

function backupIO(json: boolean): BackupIO {
  return {
    ...processIO(),
    progress: (line) => {
      if (!json) process.stderr.write(`${line}\n`);
    },
    interactive: canPrompt(process.env),
    confirm: async (message) => {
      const { confirm } = await import("../lifecycle/consent.js");
      return confirm(message);
    },
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function defineList(backup: Command) {
  return backup
    .command("list")
    .description("list the environment's backups, newest first, with their status")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

export function defineCreate(backup: Command) {
  return backup
    .command("create")
    .description("back up the platform's namespaces now (what the scheduled backup covers)")
    .option("--wait", "follow the backup until Velero reports its outcome (exit 1 unless it completed)")
    .option("--timeout <SECONDS>", "with --wait: how long to follow it", "3600")
    .option("--name <NAME>", "the Backup's name (default: <platform>-<UTC time>)")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

export function defineRestore(backup: Command) {
  return backup
    .command("restore")
    .description("restore a backup into the cluster (asks first; --yes without a terminal)")
    .argument("<NAME>", "the backup to restore (cto backup list)")
    .option(
      "--namespace <NS>",
      "restore only this namespace of the backup (repeat or comma-separate for several)",
      collect,
    )
    .option("--no-wait", "report the restore created; do not follow it")
    .option("--timeout <SECONDS>", "how long to follow the restore", "3600")
    .addOption(yesFlag("restore without asking (needed without a terminal or with CI=true)"))
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

/** The options of `cto backup list`, `create` and `restore`, typed from the flags declared above. */
export type ListOptions = OptionsOf<ReturnType<typeof defineList>>;
export type CreateOptions = OptionsOf<ReturnType<typeof defineCreate>>;
export type RestoreOptions = OptionsOf<ReturnType<typeof defineRestore>>;

export function register(program: Command): void {
  const backup = program
    .command("backup")
    .description("list, make and restore the environment's backups (Velero; needs features.backup)");

  const list = defineList(backup);
  examples(list, ["cto backup list --env prod", "cto backup list --env prod --json"]);
  list.action(async (options) => {
    const { runBackupList } = await import("../backup/run.js");
    process.exitCode = await runBackupList(options, backupIO(Boolean(options.json)));
  });

  const create = defineCreate(backup);
  examples(create, ["cto backup create --env prod --wait", "cto backup create --env prod --name before-upgrade"]);
  create.action(async (options) => {
    const { runBackupCreate } = await import("../backup/run.js");
    process.exitCode = await runBackupCreate(options, backupIO(Boolean(options.json)));
  });

  const restore = defineRestore(backup);
  examples(restore, [
    "cto backup restore before-upgrade --env prod --yes",
    "cto backup restore before-upgrade --env prod --namespace cto --yes",
  ]);
  restore.addHelpText(
    "after",
    "\nVelero keeps objects that exist and recreates missing ones. Without a terminal (or with CI=true)\n" +
      "cto does not ask, so a restore without --yes is refused (exit 2) and nothing changes.\n",
  );
  restore.action(async (name, options) => {
    const { runBackupRestore } = await import("../backup/run.js");
    process.exitCode = await runBackupRestore(name, options, backupIO(Boolean(options.json)));
  });
}
