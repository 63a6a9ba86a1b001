/**
 * Command options are typed from the flags each command declares (@commander-js/extra-typings), so
 * a renamed or misspelt flag is a compile error where it is read. This file is part of the build:
 * each `@ts-expect-error` line must fail to type-check, and tsc fails ("unused directive") if the
 * typing is ever lost (options back to `Record<string, unknown>` or `any`). The runtime half checks
 * that the names the types promise are the names commander really fills in.
 */
import assert from "node:assert/strict";
import { Command, type CommandUnknownOpts } from "@commander-js/extra-typings";
import * as destroy from "../../cli/commands/destroy.js";
import * as preview from "../../cli/commands/preview.js";
import * as rollback from "../../cli/commands/rollback.js";
import * as up from "../../cli/commands/up.js";
import type { DestroyOptions } from "../../cli/commands/destroy.js";
import type { RollbackOptions } from "../../cli/commands/rollback.js";
import type { UpOptions } from "../../cli/commands/up.js";
import type { PreviewOptions } from "../../cli/commands/preview.js";
import type { ApplyFlags } from "../../cli/lifecycle/apply.js";
import { requireConsent, type ConsentFlags } from "../../cli/lifecycle/consent.js";
import type { ToolInstallFlags } from "../../cli/lifecycle/install-tools.js";
import type { LifecycleIO, LoadFlags } from "../../cli/lifecycle/session.js";

/** The command as `define` declares it, parsed from `args`; no action runs. */
function parsed<C extends CommandUnknownOpts>(define: (program: Command) => C, args: string[]): C {
  const cmd = define(new Command("cto")).exitOverride();
  cmd.parse(args, { from: "user" });
  return cmd;
}

describe("typed command options", () => {
  it("cto up: the flags arrive under the names and types UpOptions declares", () => {
    const options: UpOptions = parsed(up.define, ["--skip-checks", "--profile", "standard", "-y"]).opts();
    const skipChecks: true | undefined = options.skipChecks;
    const profile: string | undefined = options.profile;
    const env: string = options.env;
    assert.equal(skipChecks, true);
    assert.equal(profile, "standard");
    assert.equal(env, "dev", "--env has a default, so its type is string, not string | undefined");
    assert.equal(options.yes, true);
    // @ts-expect-error -- misspelt flag: `--skip-check` is not declared, so reading it must not compile.
    assert.equal(options.skipCheck, undefined);
    // @ts-expect-error -- --profile takes a value: it is a string, never a boolean.
    const wrong: boolean | undefined = options.profile;
    assert.equal(wrong, "standard");
  });

  it("cto destroy: --keep-crds and --confirm are typed; a flag of another command is not there", () => {
    const options: DestroyOptions = parsed(destroy.define, [
      "--keep-crds",
      "--confirm",
      "prod",
      "--env",
      "prod",
    ]).opts();
    const keepCrds: true | undefined = options.keepCrds;
    const confirm: string | undefined = options.confirm;
    assert.equal(keepCrds, true);
    assert.equal(confirm, "prod");
    assert.equal(options.env, "prod");
    // @ts-expect-error -- `--skip-checks` belongs to cto up, not cto destroy.
    assert.equal(options.skipChecks, undefined);
  });

  it("cto rollback: --to is a string, as commander passes it", () => {
    const options: RollbackOptions = parsed(rollback.define, ["--to", "3"]).opts();
    const to: string | undefined = options.to;
    assert.equal(to, "3");
    // @ts-expect-error -- `--to` takes a value; no coercion is declared, so it is not a number.
    const n: number | undefined = options.to;
    assert.equal(typeof n, "string");
  });

  it("the shared lifecycle helpers take only the flags they read, picked from the commands that call them", () => {
    // Each helper's input is `Pick<CommandA | CommandB | …, flags>`: Pick over the union names only
    // flags every caller declares, so renaming or dropping one in a command breaks the helper's type.
    // @ts-expect-error -- cto preview declares no --yes: a Pick of "yes" over it does not compile.
    type _NoYesInPreview = Pick<UpOptions | PreviewOptions, "yes">;
    const consentKeys: (keyof ConsentFlags)[] = ["yes"];
    const applyKeys: (keyof ApplyFlags)[] = ["json", "yes", "diff", "refresh"];
    const toolKeys: (keyof ToolInstallFlags)[] = ["json", "yes"];
    const loadKeys: (keyof LoadFlags)[] = ["file", "env", "profile"];
    // @ts-expect-error -- previewConfirmApply does not read --skip-checks, so it is not in its input.
    const notRead: keyof ApplyFlags = "skipChecks";
    assert.deepEqual([consentKeys, applyKeys, toolKeys, loadKeys, notRead].flat().length, 11);

    const previewOptions: PreviewOptions = parsed(preview.define, ["--diff"]).opts();
    // @ts-expect-error -- a command without --yes cannot pass its options to requireConsent.
    const consentOfPreview: ConsentFlags = previewOptions;
    assert.equal(consentOfPreview.yes, undefined);

    // The runtime half: requireConsent reads --yes under the name commander fills in.
    const io = { interactive: false } as LifecycleIO;
    const withYes: UpOptions = parsed(up.define, ["--yes"]).opts();
    const withoutYes: UpOptions = parsed(up.define, []).opts();
    assert.doesNotThrow(() => requireConsent(withYes, io, "cto up"));
    assert.throws(() => requireConsent(withoutYes, io, "cto up"), /no terminal to confirm on/);
    const destroyYes: DestroyOptions = parsed(destroy.define, ["-y"]).opts();
    assert.doesNotThrow(() => requireConsent(destroyYes, io, "cto destroy"));
  });
});
