/**
 * Plugin processes a killed engine left running. The engine starts each resource plugin
 * (`pulumi-resource-kubernetes`, the Node dynamic provider, ...) in a process group of its own, so
 * killing `cto` and the engine — a crash, an OOM kill, `kill -9` of the group — leaves them
 * running: the kubernetes provider goes on with a Helm install for minutes and writes the
 * release's records after the next run has looked at them, and the dynamic provider never exits
 * (found by the interrupted-runs drill).
 *
 * A plugin belongs to a dead run when it runs in this project's workspace directory (the engine
 * starts plugins there) and its parent is no longer a Pulumi engine (it was re-parented to init
 * or a subreaper). Plugins of a live run — another environment of the same project included —
 * have their engine as parent and are left alone. Linux only (`/proc`); elsewhere nothing is found.
 */
import { readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  cwd: string;
  cmdline: string;
}

/** A program that is a Pulumi plugin (resource provider, language host, analyzer). */
const PLUGIN = /(^|\/)pulumi-(resource|language|analyzer)-[\w.-]+( |$)|@pulumi\/pulumi\/cmd\/dynamic-provider/;
/** A Pulumi engine: the `pulumi` CLI itself. */
const ENGINE = /(^|\/)pulumi( |$)/;

/** What `/proc/<pid>` says about a process; undefined when it is gone or not readable. */
export async function processInfo(pid: number, proc = "/proc"): Promise<ProcessInfo | undefined> {
  try {
    const stat = await readFile(path.join(proc, String(pid), "stat"), "utf8");
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = (await readFile(path.join(proc, String(pid), "cmdline"), "utf8")).split("\0").join(" ").trim();
    const cwd = (await readlink(path.join(proc, String(pid), "cwd"))).replace(/ \(deleted\)$/, "");
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), cwd, cmdline };
  } catch {
    return undefined;
  }
}

/**
 * The process groups of plugins left by dead engines in `workDir`: one entry per group, named by
 * its leader (the engine starts each plugin as a group leader).
 */
export async function findOrphanedPlugins(workDir: string, proc = "/proc"): Promise<ProcessInfo[]> {
  const pids = (await readdir(proc).catch(() => [] as string[])).filter((e) => /^\d+$/.test(e)).map(Number);
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    // The working directory first: one readlink rules out almost every process.
    const cwd = await readlink(path.join(proc, String(pid), "cwd")).catch(() => "");
    if (cwd.replace(/ \(deleted\)$/, "") !== workDir) continue;
    const info = await processInfo(pid, proc);
    if (!info || info.pid !== info.pgid || info.cwd !== workDir || !PLUGIN.test(info.cmdline)) continue;
    const parent = await processInfo(info.ppid, proc);
    if (parent && ENGINE.test(parent.cmdline)) continue;
    out.push(info);
  }
  return out;
}

/**
 * Stops the orphaned plugin groups in `workDir` (SIGKILL: their engine is gone, there is nobody to
 * report to) and waits up to `waitMs` for them to exit. Returns what was stopped.
 */
export async function stopOrphanedPlugins(workDir: string, waitMs = 5_000): Promise<ProcessInfo[]> {
  const orphans = await findOrphanedPlugins(workDir);
  for (const o of orphans) {
    try {
      process.kill(-o.pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const until = Date.now() + waitMs;
  const alive = (o: ProcessInfo): boolean => {
    try {
      process.kill(-o.pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (orphans.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return orphans;
}
