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

/** The steps of a join lane that make its secrets: worth nothing once the join is done, and redone otherwise. */
const LANE_MAKERS = new Set(['kubeadm.upload-certs', 'kubeadm.token-create']);

/**
 * A join lane's entries on resume: the secrets are in memory only, so when the join is
 * not journaled done the lane runs again from its first entry with fresh ones (the token
 * of the crashed attempt is revoked by the ledger before the new one is made); once the
 * join is done they are skipped. A token-delete always runs: it deletes the lane's token
 * the ledger holds open (also one a crash kept from being deleted) and is NOOP otherwise.
 * `done` undefined: the usual rules decide (the join: never repeated).
 */
function laneResume(journal: Journal, entry: PlanEntry): { done?: boolean; note?: string } {
  if (entry.step === 'kubeadm.token-delete') return { done: false };
  if (!LANE_MAKERS.has(entry.step)) return {};
  if (journal.isDone(`${entry.stage}/kubeadm.join`, entry.host)) return { done: true, note: `journal: ${entry.host}'s join is done, its lane needs no new secrets` };
  return { done: false };
}

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
 * Read-only checks (ALWAYS_RUN) always run again. A join lane's token and upload entries
 * follow laneResume.
 */
export function resumeCheck(deps: ResumeCheckDeps): (entry: PlanEntry) => Promise<boolean> {
  return async (entry) => {
    if (ALWAYS_RUN.has(entry.step)) return false;
    if (entry.lane !== undefined) {
      const lane = laneResume(deps.journal, entry);
      if (lane.note) deps.notes.set(entry.path, lane.note);
      if (lane.done !== undefined) return lane.done;
    }
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
