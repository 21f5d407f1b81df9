/**
 * A tick function that runs `sync` unless the previous run is still going, so two syncs
 * never overlap. A run still going after `overdueMs` is reported once through `log`; the
 * next tick still waits for it (every await inside a sync is time-limited on its own).
 */
export function serialSyncTick(sync: () => Promise<void>, overdueMs: number, log: (line: string) => void): () => void {
  let syncing = false;
  return () => {
    if (syncing) return;
    syncing = true;
    const overdue = setTimeout(() => log(`sync overdue: still running after ${overdueMs / 1000} s; the next one waits for it`), overdueMs);
    sync()
      .catch((err: unknown) => log(`sync failed: ${(err as Error).message}`))
      .finally(() => {
        clearTimeout(overdue);
        syncing = false;
      });
  };
}
