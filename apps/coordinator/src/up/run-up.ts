import { CliError, usageError } from '../cli/cli-error';
import { formatDuration } from '../cli/duration';
import { ExitCode, type ExitCodeValue } from '../cli/exit-codes';
import { SecretBroker } from '../broker/secret-broker';
import {
  buildPlan,
  type Plan,
  readinessThroughRunner,
  type RunReport,
  runPlan,
  type SchedulerDeps,
  SelectionError,
} from '../plan';
import { formatListenAddress, type ListenAddress } from '../server/listen-address';
import { type ClusterSpec, topologyOf } from '../spec';
import { loadSpecForCli } from '../spec/load-for-cli';
import type { ClusterSelection } from '../state/state-paths';
import { agentHostRunner } from './agent-steps';
import { agentsAttachedWaiter } from './agents-attached';
import { brokerStepCall, brokerStillCurrent } from './broker-step-call';
import { clusterDirForSpec } from './cluster-dir';
import { confirm, type ConfirmIo } from './confirm';
import { entryInputsProvider } from './entry-inputs';
import { failureEvents, type RetryCommand, shellWord } from './failure-summary';
import { journalRecorder } from './journal-recorder';
import { resumeCheck } from './resume-check';
import { TokenLedger } from './token-ledger';
import { progressOf } from './scheduler-progress';
import { openSession, sessionOptionsFor, type Session } from './session';
import { type BuildPicture, buildPictureOptions, startBuildPicture } from '../web/build-picture';

/** Which part of the plan a command runs. */
export type UpMode = 'up' | 'verify' | 'drill';

/** Options shared by `kumi up`, `kumi verify` and `kumi drill`. */
export interface UpOptions {
  mode: UpMode;
  specPath: string;
  only: string[];
  skip: string[];
  json: boolean;
  yes: boolean;
  selection: ClusterSelection;
  listen?: ListenAddress;
  attachTimeoutMs: number;
  detachGraceMs: number;
  /** Where progress goes (default stdout) and where a confirmation is asked. */
  out?: NodeJS.WriteStream;
  confirmIo?: ConfirmIo;
  /** The secret broker's clock (tests move it to cross the 2 h certificate limit). */
  now?: () => number;
  /** `--web`: serve the live picture of the build there (`webExposed`: not on loopback on purpose). */
  web?: ListenAddress;
  webExposed?: boolean;
  /** Called once the coordinator listens (tests start their agents here). */
  onListening?(address: ListenAddress): void;
}

/** The spec a mode runs: verify and drill are switched on for their own commands. */
function specForMode(spec: ClusterSpec, mode: UpMode): ClusterSpec {
  if (mode === 'up') return spec;
  const copy = structuredClone(spec);
  if (mode === 'verify') copy.spec.verify.enabled = true;
  if (mode === 'drill') copy.spec.drill.enabled = true;
  return copy;
}

function planFor(spec: ClusterSpec, options: UpOptions): Plan {
  // verify and drill run exactly their own stage (plus attach, which the plan keeps).
  const only = options.mode === 'up' ? options.only : [options.mode];
  try {
    return buildPlan(specForMode(spec, options.mode), { only, skip: options.skip });
  } catch (error) {
    if (error instanceof SelectionError) throw usageError(error.message);
    throw error;
  }
}

/**
 * The commands that resume or retry this run, with the user's cluster selection. Only
 * `kumi up` offers a per-entry retry: the plan of `kumi up` has no drill (or verify) stage
 * unless the spec enables it, so `kumi up --only drill/...` would be refused.
 */
export function retryCommand(options: Pick<UpOptions, 'mode' | 'specPath' | 'only' | 'skip' | 'selection'>): RetryCommand {
  const selection = [
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  const base = ['kumi', options.mode, options.specPath, ...selection].map(shellWord).join(' ');
  const resume = options.mode === 'up' ? [base, ...options.only.map((p) => `--only ${shellWord(p)}`), ...options.skip.map((p) => `--skip ${shellWord(p)}`)].join(' ') : base;
  if (options.mode !== 'up') return { resume };
  return { resume, only: (path) => `kumi up ${shellWord(options.specPath)}${selection.length ? ` ${selection.map(shellWord).join(' ')}` : ''} --only ${shellWord(path)}` };
}

function countEntries(plan: Plan): number {
  return plan.stages.reduce((sum, stage) => sum + stage.entries.length, 0);
}

/** The exit code of a failed run: interrupted, agents missing, or a failure. */
function exitCodeOf(report: RunReport): ExitCodeValue {
  if (report.cancelled) return ExitCode.INTERRUPTED;
  const unavailable = report.failures.every(
    (failure) => (failure.kind === 'readiness' && failure.readiness === 'agents-attached') || (failure.kind === 'step' && failure.error.code === 'NOT_ATTACHED'),
  );
  return unavailable ? ExitCode.UNAVAILABLE : ExitCode.FAILURE;
}

/** The scheduler's dependencies over the session's in-process coordinator. */
function schedulerDeps(session: Session, spec: ClusterSpec, options: UpOptions): SchedulerDeps {
  const { coordinator, journal, progress } = session;
  const runner = agentHostRunner(coordinator);
  const topology = topologyOf(spec);
  const broker = new SecretBroker({
    secrets: session.secrets,
    ...(options.now ? { now: options.now } : {}),
    stillCurrent: brokerStillCurrent(coordinator, session.signal),
    call: brokerStepCall(coordinator, session.signal, (step) =>
      progress.emit({
        kind: step.phase === 'start' ? 'START' : step.phase === 'failed' ? 'FAILED' : step.phase === 'noop' ? 'NOOP' : 'DONE',
        stage: 'secret-broker',
        host: step.host,
        step: step.step,
        text: step.text,
        ...(step.error ? { error: step.error } : {}),
      }),
    ),
  });
  const notes = new Map<string, string>();
  const record = journalRecorder(journal, session.run);
  return {
    runner,
    readiness: readinessThroughRunner(runner, agentsAttachedWaiter(coordinator.agents, session.state.hosts, options.attachTimeoutMs)),
    inputs: entryInputsProvider({
      broker,
      journal,
      agents: coordinator.agents,
      controlPlanes: topology.controlPlanes.map((host) => host.name),
      hosts: spec.spec.hosts.map((host) => host.name),
      ledger: new TokenLedger(journal, session.run),
      warn: (text) => progress.emit({ kind: 'PROGRESS', stage: 'secret-broker', host: '', step: '', text }),
    }),
    ...(options.mode === 'up'
      ? {
          isDone: resumeCheck({
            journal,
            agents: coordinator,
            run: session.run,
            signal: session.signal,
            notes,
            onDrift: (entry, text) => progress.emit({ kind: 'PROGRESS', stage: entry.stage, host: entry.host, step: entry.step, path: entry.path, text }),
          }),
        }
      : {}),
    onEvent: (event) => {
      record(event);
      progress.emit(progressOf(event, notes));
    },
    signal: session.signal,
  };
}

/**
 * `kumi up` (and `kumi verify` / `kumi drill`, which run just their stage): validates the
 * spec and the selection before anything else (exit 2, nothing sent), asks on a terminal
 * unless --yes, takes the cluster lock, starts the coordinator in-process, runs the plan
 * with brokered secrets, journaling and resume, and ends with a per-host failure summary.
 * Resolves when everything ran; throws a CliError with the exit code otherwise.
 */
export async function runUp(options: UpOptions): Promise<RunReport> {
  const { spec } = await loadSpecForCli(options.specPath);
  const plan = planFor(spec, options);
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const entries = countEntries(plan);
  if (options.mode !== 'verify' && !options.yes) {
    const what = options.mode === 'drill' ? 'take a control plane down for the failover drill' : `build cluster "${plan.cluster}" (${plan.stages.length} stages, ${entries} steps)`;
    const answer = await confirm(`kumi ${options.mode} will ${what}. Continue?`, options.confirmIo);
    // Like reset: a drill is disruptive, so without a terminal to ask on only --yes confirms it.
    if (answer === 'no-terminal' && options.mode === 'drill') throw usageError('kumi drill takes a control plane down and there is no terminal to confirm on: pass --yes to confirm');
    if (answer === false) throw usageError('not confirmed; nothing was run (pass --yes to skip the question)');
  }
  const session = await openSession(sessionOptionsFor(dir, `kumi ${options.mode} ${options.specPath}`, options));
  const started = Date.now();
  let picture: BuildPicture | undefined;
  try {
    session.progress.emit({
      kind: 'RUN_START',
      stage: '',
      host: '',
      step: '',
      text: `kumi ${options.mode}: cluster "${plan.cluster}", ${plan.stages.length} stage(s), ${entries} step(s); agents connect to ${formatListenAddress(session.listen)}; journal ${session.journal.file}; log ${session.state.paths.logFile}`,
    });
    picture = await startBuildPicture(buildPictureOptions(session, plan.cluster, options));
    options.onListening?.(session.listen);
    const report = await runPlan(plan, schedulerDeps(session, spec, options));
    await picture.finish(); // Says where the report is before the run's last event.
    const took = formatDuration(Date.now() - started);
    if (report.ok) {
      session.progress.emit({ kind: 'RUN_DONE', stage: '', host: '', step: '', text: `kumi ${options.mode}: cluster "${plan.cluster}" done in ${took}` });
      return report;
    }
    const retry = retryCommand(options);
    for (const failure of failureEvents(report, retry)) session.progress.emit(failure);
    const hosts = new Set(report.failures.map((failure) => failure.host).filter(Boolean));
    session.progress.emit({
      kind: 'RUN_FAILED',
      stage: '',
      host: '',
      step: '',
      text: `kumi ${options.mode}: ${report.cancelled ? 'interrupted' : `${report.failures.length} failure(s)${hosts.size ? ` on ${[...hosts].join(', ')}` : ''}`} after ${took}; resume with: ${retry.resume}`,
    });
    const code = exitCodeOf(report);
    throw new CliError(
      report.cancelled
        ? `interrupted; what finished is in the journal, resume with: ${retry.resume}`
        : code === ExitCode.UNAVAILABLE
          ? `agents missing; see above, then resume with: ${retry.resume}`
          : `failed; see the summary above, then resume with: ${retry.resume}`,
      code,
    );
  } finally {
    await picture?.finish();
    await session.close();
  }
}
