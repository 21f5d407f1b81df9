import type { Journal } from '../journal/journal';
import type { PlanEntry } from '../plan';
import { type AgentLink, runAgentStep } from './agent-steps';
import { journalPath } from './journal-recorder';

/**
 * Steps that are never repeated once the journal says they finished: repeating them
 * would create a second cluster, join a node twice, or take a control plane down again.
 */
const NEVER_REPEATED = new Set(['kubeadm.init', 'kubeadm.join', 'drill']);

/** Read-only checks: running them again is their re-check, so they always run. */
const ALWAYS_RUN = new Set(['preflight', 'net.wait-tcp', 'verify']);

/** What the resume check reads and where it reports. */
export interface ResumeCheckDeps {
  journal: Journal;
  agents: AgentLink;
  run: string;
  signal: AbortSignal;
  /** Why an entry was skipped, by plan path (shown with the SKIPPED event). */
  notes: Map<string, string>;
  /** A journal-done entry the re-check found undone (it runs again). */
  onDrift(entry: PlanEntry, text: string): void;
}

/**
 * The scheduler's isDone for `kumi up`: an entry the journal says finished is re-checked
 * on its host with a dry run and skipped only when the step itself says nothing is left
 * to do; otherwise it runs again (steps are idempotent). Entries that need brokered
 * secrets or runtime inputs, and the steps in NEVER_REPEATED, are not re-checked: the
 * journal is their proof, and the stage's readiness conditions check the cluster after.
 * Read-only checks (ALWAYS_RUN) always run again.
 */
export function resumeCheck(deps: ResumeCheckDeps): (entry: PlanEntry) => Promise<boolean> {
  return async (entry) => {
    if (ALWAYS_RUN.has(entry.step)) return false;
    const path = journalPath(entry);
    const record = deps.journal.latest().get(`${path}@${entry.host}`);
    if (record?.status !== 'done' && record?.status !== 'noop') return false;
    const since = `journal: ${record.status} at ${record.time}`;
    if (NEVER_REPEATED.has(entry.step) || entry.secrets.length > 0 || entry.inputs.some((input) => input.required)) {
      deps.notes.set(entry.path, `${since}; ${entry.step} is never repeated`);
      return true;
    }
    const recheck = await runAgentStep(deps.agents, { host: entry.runOn ?? entry.host, step: entry.step, params: entry.params, secrets: {}, dryRun: true, signal: deps.signal }).then(
      (result) => result,
      // A failed re-check (host unreachable, check error): run the entry again, which reports it.
      () => undefined,
    );
    if (recheck?.kind === 'noop') {
      deps.notes.set(entry.path, `${since}; rechecked: ${recheck.reason}`);
      deps.journal.append({ run: deps.run, path, host: entry.host, status: 'noop', outputs: recheck.outputs, note: `rechecked: ${recheck.reason}` });
      return true;
    }
    if (recheck?.kind === 'planned') deps.onDrift(entry, `${since}, but the host needs it again: ${recheck.actions.join('; ') || 'its checks'}`);
    return false;
  };
}
