/** How long a finished command may wait for its last handles to close by themselves. */
export const EXIT_GRACE_MS = 2_000;

/**
 * Ends the process with `code` once the command is done. The event loop normally empties by
 * itself; when a handle still holds it (an agent's connection that a server shutdown is still
 * tearing down, a peer slow to close), kumi leaves after EXIT_GRACE_MS anyway: a finished
 * command must never hang its caller. The timer is unref'd, so it only ever fires when
 * something else keeps the process alive; with KUMI_LOG_LEVEL=debug it names what that was.
 */
export function exitWhenDone(code: number, graceMs = EXIT_GRACE_MS): void {
  process.exitCode = code;
  setTimeout(() => {
    if (process.env['KUMI_LOG_LEVEL'] === 'debug') {
      process.stderr.write(`kumi: done; leaving with these still open: ${process.getActiveResourcesInfo().join(', ')}\n`);
    }
    process.exit(code);
  }, graceMs).unref();
}
