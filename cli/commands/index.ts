/**
 * The commands `cto` registers, in the order `cto --help` lists them. Each module exports
 * `register(program)` and keeps its top-level imports light (see cli/bin.ts).
 *
 * Register only commands that work: a command that is not built yet does not appear here.
 */
import type { Command } from "@commander-js/extra-typings";
import * as init from "./init.js";
import * as config from "./config.js";
import * as profiles from "./profiles.js";
import * as render from "./render.js";
import * as doctor from "./doctor.js";
import * as preview from "./preview.js";
import * as up from "./up.js";
import * as status from "./status.js";
import * as task from "./task.js";
import * as upgrade from "./upgrade.js";
import * as rollback from "./rollback.js";
import * as refresh from "./refresh.js";
import * as destroy from "./destroy.js";
import * as stacks from "./stacks.js";
import * as history from "./history.js";
import * as backup from "./backup.js";
import * as cancel from "./cancel.js";
import * as pulumi from "./pulumi.js";
import * as github from "./github.js";
import * as secrets from "./secrets.js";
import * as version from "./version.js";

export interface CommandModule {
  register(program: Command): void;
}

export const COMMAND_MODULES: CommandModule[] = [
  init,
  config,
  profiles,
  render,
  doctor,
  preview,
  up,
  status,
  task,
  upgrade,
  rollback,
  refresh,
  destroy,
  stacks,
  history,
  backup,
  cancel,
  pulumi,
  github,
  secrets,
  version,
];
