/**
 * Ctrl-C during an engine run: the first asks the engine to cancel gracefully (it finishes the
 * steps in flight and leaves state it can recover from); the second stops at once with a warning.
 *
 * A Ctrl-C typed in a terminal reaches the whole foreground process group, the Pulumi CLI
 * included, and the CLI already treats a first SIGINT as "cancel gracefully" and a second as
 * "stop now". So with a terminal cto only explains and waits; without one (a CI runner sending
 * SIGINT to cto alone) cto forwards it through the Automation API's abort signal. Forwarding it
 * in a terminal too would make one Ctrl-C count as two.
 */
export interface Interrupts {
  /** Pass to the lifecycle operation: aborted (forwarded to the engine) only without a terminal. */
  signal: AbortSignal;
  /** True once the user interrupted. */
  interrupted(): boolean;
  /** Remove the handlers. */
  dispose(): void;
}

export function handleInterrupts(opts: {
  /** Where the explanations go (stderr). */
  say: (line: string) => void;
  /** Whether stdin is a terminal (then the engine got the same Ctrl-C). */
  terminal: boolean;
  environment: string;
}): Interrupts {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (): void => {
    count++;
    if (count === 1) {
      opts.say("\ncancelling: the engine finishes the steps in flight and stops (press Ctrl-C again to stop at once)");
      if (!opts.terminal) controller.abort();
      return;
    }
    opts.say(
      `\nstopped at once: resources being changed may be left half-done. Run cto up --env ${opts.environment}: it finishes what this run left pending`,
    );
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    interrupted: () => count > 0,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
