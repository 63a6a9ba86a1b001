/** `cto preview`: what would change, by component; `--diff` adds old → new values (secrets masked). */
import { renderPreview } from "./render.js";
import { load, withStackSession, type LifecycleIO } from "./session.js";
import type { PreviewOptions } from "../commands/preview.js";

export async function runPreview(options: PreviewOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets, context } = await load(options, io);
  return withStackSession(io, { environment: plan.environment, context }, false, async (opts, lifecycle) => {
    const report = await lifecycle.preview(plan, secrets, {
      ...opts,
      onProgress: undefined,
      refresh: options.refresh,
    });
    const { configWritten: _, ...shown } = report;
    if (options.json) io.out(JSON.stringify(shown));
    else {
      for (const line of renderPreview(report, { diff: options.diff, details: report.details })) io.out(line);
      io.out(`Engine log: ${report.logFile}`);
    }
    return 0;
  });
}
