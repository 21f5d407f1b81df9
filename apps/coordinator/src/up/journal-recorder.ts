import type { Journal } from '../journal/journal';
import type { Logger } from '../logging/logger';
import type { PlanEntry, SchedulerEvent } from '../plan';

/** The journal's path of an entry: `stage/step` (the host is its own field). */
export function journalPath(entry: Pick<PlanEntry, 'stage' | 'step'>): string {
  return `${entry.stage}/${entry.step}`;
}

/**
 * Writes every (host, step) start and result of a scheduler run to the journal. Journal
 * writes that fail (the secret guard refusing a record) are logged and written again
 * without the step's outputs, so the result itself is never lost.
 */
export function journalRecorder(journal: Journal, run: string, logger: Logger): (event: SchedulerEvent) => void {
  return (event) => {
    if (event.kind !== 'entry-start' && event.kind !== 'entry-end') return;
    const base = { run, path: journalPath(event), host: event.host };
    if (event.kind === 'entry-start') {
      journal.append({ ...base, status: 'started' });
      return;
    }
    if (event.status === 'failed') {
      journal.append({ ...base, status: 'failed', error: { code: event.error?.code ?? 'INTERNAL', message: event.error?.message ?? 'failed' } });
      return;
    }
    if (event.status !== 'done' && event.status !== 'noop') return;
    const record = { ...base, status: event.status, ...(event.reason ? { note: event.reason } : {}) };
    try {
      journal.append({ ...record, outputs: event.outputs ?? {} });
    } catch (error) {
      logger.error({ path: base.path, host: base.host, error: (error as Error).message }, 'journal refused the outputs of a step');
      journal.append({ ...record, note: 'outputs withheld: they held a secret' });
    }
  };
}
