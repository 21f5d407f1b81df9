import { formatDuration } from '../cli/duration';
import { describeConcurrency, type SchedulerEvent } from '../plan';
import type { ProgressInput } from '../progress/progress-sink';

/** Extra words for entries, e.g. why a journal-done entry was skipped. */
export type EntryNotes = ReadonlyMap<string, string>;

/** A scheduler event as a progress event (entry events carry host, step and path); undefined for events not shown. */
export function progressOf(event: SchedulerEvent, notes: EntryNotes = new Map()): ProgressInput | undefined {
  const stageLevel = { stage: event.stage, host: '', step: '' };
  switch (event.kind) {
    case 'stage-start':
      return { ...stageLevel, kind: 'STAGE_START', text: `${event.title} (${event.entries} step(s), ${describeConcurrency(event.concurrency)})` };
    case 'stage-end':
      return {
        ...stageLevel,
        kind: event.status === 'done' ? 'STAGE_DONE' : 'STAGE_FAILED',
        text: `${event.status === 'cancelled' ? 'cancelled' : event.status} in ${formatDuration(event.durationMs)}`,
      };
    case 'readiness-wait':
    case 'readiness-progress':
    case 'readiness-end': {
      const where = event.path ? { host: event.host ?? '', step: event.path.split('/')[1]?.split('@')[0] ?? '', path: event.path } : {};
      const base = { ...stageLevel, ...where };
      if (event.kind === 'readiness-wait') return { ...base, kind: 'WAITING', text: `waiting for ${event.waitsFor}` };
      if (event.kind === 'readiness-progress') return { ...base, kind: 'WAITING', text: `${event.readiness}: ${event.text}` };
      return event.ok
        ? { ...base, kind: 'READY', text: `${event.readiness} after ${formatDuration(event.durationMs)}` }
        : { ...base, kind: 'NOT_READY', text: `${event.readiness}: ${event.message ?? 'failed'}` };
    }
    case 'host-end':
      return undefined;
    case 'entry-start':
      return { stage: event.stage, host: event.host, step: event.step, path: event.path, kind: 'START', text: event.path };
    case 'entry-output':
      return { stage: event.stage, host: event.host, step: event.step, path: event.path, kind: 'OUTPUT', text: event.line };
    case 'entry-progress':
      return { stage: event.stage, host: event.host, step: event.step, path: event.path, kind: 'PROGRESS', text: event.text };
    case 'entry-end': {
      const base = { stage: event.stage, host: event.host, step: event.step, path: event.path };
      const outputs = event.outputs && Object.keys(event.outputs).length > 0 ? { outputs: event.outputs } : {};
      switch (event.status) {
        case 'failed':
          return { ...base, kind: 'FAILED', text: event.error?.message ?? 'failed', ...(event.error ? { error: event.error } : {}) };
        case 'noop':
          return { ...base, kind: 'NOOP', text: event.reason ?? 'nothing to do', ...outputs };
        case 'planned':
          return { ...base, kind: 'PLANNED', text: event.actions?.length ? event.actions.join('; ') : 'would run its plan' };
        case 'already-done':
          return { ...base, kind: 'SKIPPED', text: notes.get(event.path) ?? 'already done (journal)' };
        default:
          return { ...base, kind: 'DONE', text: `done in ${formatDuration(event.durationMs)}`, ...outputs };
      }
    }
  }
}
