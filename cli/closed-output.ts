/**
 * A reader that stops early (`cto --help | head -1`, `cto history | grep -m1 …`) closes the pipe
 * cto writes to. Node ignores SIGPIPE, so the next write fails with EPIPE, which the stream emits as
 * an 'error' event; with no listener that is an uncaught exception: a stack trace and exit code 1
 * for output nobody wanted any more.
 */

/**
 * Makes a closed pipe on `stream` (stdout or stderr) harmless: the EPIPE is dropped and so is
 * everything written to that stream afterwards (a destroyed stream discards writes without another
 * 'error'). The command runs to its end and exits with its own code (0 for help, version and a
 * successful command). It deliberately does not exit on the spot: `cto up --yes | head` must not
 * abandon a deployment half-way, with the stack still locked, because the reader went away.
 *
 * Any other stream error is thrown, as without this listener.
 */
export function tolerateClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
  });
}
