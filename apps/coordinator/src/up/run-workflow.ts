import { CliError } from '../cli/cli-error';
import { formatDuration } from '../cli/duration';
import { ExitCode } from '../cli/exit-codes';
import { runExitCode } from '../cli/run-exit-code';
import { type Plan, readinessThroughRunner, type RunReport, runPlan, type SchedulerDeps, type SchedulerEvent } from '../plan';
import { formatListenAddress, type ListenAddress } from '../server/listen-address';
import { buildPictureOptions, startBuildPicture } from '../web/build-picture';
import { agentHostRunner } from './agent-steps';
import { agentsAttachedWaiter } from './agents-attached';
import { failureEvents, type RetryCommand } from './failure-summary';
import { journalRecorder } from './journal-recorder';
import { type EntryNotes, progressOf } from './scheduler-progress';
import type { Session } from './session';

/** The number of (host, step) entries of a plan. */
export function countEntries(plan: Plan): number {
  return plan.stages.reduce((sum, stage) => sum + stage.entries.length, 0);
}

/** What every workflow of a session runs through: the agents, their attachment, the journal and the progress view. */
export interface SessionDepsOptions {
  attachTimeoutMs: number;
  /** Why entries were skipped, by path (shown with SKIPPED). */
  notes?: EntryNotes;
  /** Called after the journal and the view got the event. */
  onEvent?(event: SchedulerEvent): void;
}

/**
 * The scheduler's dependencies every workflow shares: steps and probes through the
 * in-process coordinator's agents, agents-attached from its registry, every entry
 * journaled (with the workflow's name) and shown.
 */
export function sessionDeps(session: Session, workflow: Plan['workflow'], options: SessionDepsOptions): SchedulerDeps {
  const runner = agentHostRunner(session.coordinator);
  const record = journalRecorder(session.journal, session.run, workflow);
  return {
    runner,
    readiness: readinessThroughRunner(runner, agentsAttachedWaiter(session.coordinator.agents, session.state.hosts, options.attachTimeoutMs)),
    onEvent: (event) => {
      record(event);
      const progress = progressOf(event, options.notes);
      if (progress) session.progress.emit(progress);
      options.onEvent?.(event);
    },
    signal: session.signal,
  };
}

/** One workflow run in an open session. */
export interface WorkflowRun {
  /** The command as the user typed it, e.g. "kumi reset" (progress lines start with it). */
  label: string;
  plan: Plan;
  deps: SchedulerDeps;
  retry: RetryCommand;
  /** Said once everything succeeded, after "done in 12 s". */
  doneNote?: string;
  /** Where to serve the live picture of the run (`--web`); the report file is written either way. */
  web?: { web?: ListenAddress; webExposed?: boolean };
}

/**
 * Runs a workflow's plan on the one scheduler: RUN_START, the stages, then RUN_DONE, or one
 * FAILURE per failure (with the command that retries it), RUN_FAILED and a CliError with
 * the exit code (interrupted 130, agents missing 4, else 1).
 */
export async function runWorkflow(session: Session, run: WorkflowRun): Promise<RunReport> {
  const { plan, label } = run;
  const started = Date.now();
  session.progress.emit({
    kind: 'RUN_START',
    stage: '',
    host: '',
    step: '',
    text: `${label}: cluster "${plan.cluster}", ${plan.stages.length} stage(s), ${countEntries(plan)} step(s); agents connect to ${formatListenAddress(session.listen)}; journal ${session.journal.file}; log ${session.state.paths.logFile}`,
  });
  const picture = await startBuildPicture(buildPictureOptions(session, plan.cluster, run.web ?? {}));
  try {
    const report = await runPlan(plan, run.deps);
    await picture.finish(); // Says where the report is before the run's last event.
    return finished(session, run, report, started);
  } finally {
    await picture.finish();
  }
}

/** RUN_DONE for a run that succeeded; the failures, RUN_FAILED and the exit code otherwise. */
function finished(session: Session, run: WorkflowRun, report: RunReport, started: number): RunReport {
  const { plan, label, retry } = run;
  const emit = (kind: 'RUN_DONE' | 'RUN_FAILED', text: string) => session.progress.emit({ kind, stage: '', host: '', step: '', text });
  const took = formatDuration(Date.now() - started);
  if (report.ok) {
    emit('RUN_DONE', `${label}: cluster "${plan.cluster}" done in ${took}${run.doneNote ? `; ${run.doneNote}` : ''}`);
    return report;
  }
  for (const failure of failureEvents(report, retry)) session.progress.emit(failure);
  const hosts = new Set(report.failures.map((failure) => failure.host).filter(Boolean));
  emit('RUN_FAILED', `${label}: ${report.cancelled ? 'interrupted' : `${report.failures.length} failure(s)${hosts.size ? ` on ${[...hosts].join(', ')}` : ''}`} after ${took}; resume with: ${retry.resume}`);
  const code = runExitCode(report);
  throw new CliError(
    report.cancelled
      ? `interrupted; what finished is in the journal, resume with: ${retry.resume}`
      : code === ExitCode.UNAVAILABLE
        ? `agents missing; see above, then resume with: ${retry.resume}`
        : `failed; see the summary above, then resume with: ${retry.resume}`,
    code,
  );
}
