import type { Journal } from '../journal/journal';
import type { PlanEntry, SchedulerEvent } from '../plan';

/** The journal's path of an entry: `stage/step` (the host is its own field). */
export function journalPath(entry: Pick<PlanEntry, 'stage' | 'step'>): string {
  return `${entry.stage}/${entry.step}`;
}

/**
 * Writes every (host, step) start and result of a scheduler run to the journal (which
 * scrubs secrets from each record itself).
 */
export function journalRecorder(journal: Journal, run: string): (event: SchedulerEvent) => void {
  return (event) => {
    if (event.kind !== 'entry-start' && event.kind !== 'entry-end') return;
    const base = { run, path: journalPath(event), host: event.host };
    if (event.kind === 'entry-start') {
      journal.append({ ...base, status: 'started' });
      return;
    }
    if (event.status === 'failed') {
      const { code = 'INTERNAL', message = 'failed', exitCode, stderrTail, command } = event.error ?? {};
      journal.append({
        ...base,
        status: 'failed',
        error: { code, message, ...(exitCode !== undefined ? { exitCode } : {}), ...(stderrTail ? { stderrTail } : {}), ...(command ? { command } : {}) },
      });
      return;
    }
    if (event.status !== 'done' && event.status !== 'noop') return;
    journal.append({ ...base, status: event.status, ...(event.reason ? { note: event.reason } : {}), outputs: event.outputs ?? {} });
  };
}
