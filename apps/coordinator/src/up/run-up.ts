import { usageError } from '../cli/cli-error';
import { SecretBroker } from '../broker/secret-broker';
import { buildPlan, type ClusterMembers, membersNotInSpec, type Plan, type RunReport, type SchedulerDeps, SelectionError, withRemoval } from '../plan';
import type { ListenAddress } from '../server/listen-address';
import type { ClusterSpec } from '../spec';
import { loadSpecForCli } from '../spec/load-for-cli';
import type { ClusterSelection } from '../state/state-paths';
import { revokeTokenOverAgents } from './broker-step-call';
import { clusterDirForSpec } from './cluster-dir';
import { confirm, type ConfirmIo } from './confirm';
import { entryInputsProvider } from './entry-inputs';
import { type RetryCommand, shellWord } from './failure-summary';
import { resumeCheck } from './resume-check';
import { awaitRemovedHosts, checkEtcdQuorum, membersOfClusterDir, removalRecorder, removePlanFor } from './run-remove';
import { countEntries, runWorkflow, sessionDeps } from './run-workflow';
import { openSession, sessionOptionsFor, type Session } from './session';
import { TokenLedger } from './token-ledger';
import { checkClusterVersion } from './version-guard';

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
  /** `--prune`: after the build, remove the members the spec no longer lists (as `kumi remove` would). */
  prune?: boolean;
}

/** The spec a mode runs: verify and drill are switched on for their own commands. */
function specForMode(spec: ClusterSpec, mode: UpMode): ClusterSpec {
  if (mode === 'up') return spec;
  const copy = structuredClone(spec);
  if (mode === 'verify') copy.spec.verify.enabled = true;
  if (mode === 'drill') copy.spec.drill.enabled = true;
  return copy;
}

function planFor(spec: ClusterSpec, options: UpOptions, members: ClusterMembers): Plan {
  // verify and drill run exactly their own stage (plus attach, which the plan keeps).
  const only = options.mode === 'up' ? options.only : [options.mode];
  try {
    return buildPlan(specForMode(spec, options.mode), { only, skip: options.skip, members });
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
export function retryCommand(options: Pick<UpOptions, 'mode' | 'specPath' | 'only' | 'skip' | 'selection' | 'prune'>): RetryCommand {
  const selection = [
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  const base = ['kumi', options.mode, options.specPath, ...selection, ...(options.prune ? ['--prune'] : [])].map(shellWord).join(' ');
  const resume = options.mode === 'up' ? [base, ...options.only.map((p) => `--only ${shellWord(p)}`), ...options.skip.map((p) => `--skip ${shellWord(p)}`)].join(' ') : base;
  if (options.mode !== 'up') return { resume };
  return { resume, only: (path) => `kumi up ${shellWord(options.specPath)}${selection.length ? ` ${selection.map(shellWord).join(' ')}` : ''} --only ${shellWord(path)}` };
}

/** The scheduler's dependencies for up, verify and drill: the shared ones, plus the secret broker and (for up) resume. */
function upDeps(session: Session, spec: ClusterSpec, options: UpOptions, plan: Plan): SchedulerDeps {
  const { coordinator, journal, progress } = session;
  const broker = new SecretBroker({ secrets: session.secrets, ...(options.now ? { now: options.now } : {}) });
  const revoke = revokeTokenOverAgents(coordinator, session.signal, (step) =>
    progress.emit({
      kind: step.phase === 'start' ? 'START' : step.phase === 'failed' ? 'FAILED' : step.phase === 'noop' ? 'NOOP' : 'DONE',
      stage: 'secret-broker',
      host: step.host,
      step: 'kubeadm.token-delete',
      text: step.text,
      ...(step.error ? { error: step.error } : {}),
    }),
  );
  const notes = new Map<string, string>();
  return {
    ...sessionDeps(session, 'up', { attachTimeoutMs: options.attachTimeoutMs, notes, onEvent: removalRecorder(session, plan) }),
    inputs: entryInputsProvider({
      broker,
      journal,
      agents: coordinator.agents,
      hosts: spec.spec.hosts.map((host) => host.name),
      ledger: new TokenLedger(journal, session.run),
      lanes: new Set(plan.stages.flatMap((stage) => stage.entries.flatMap((entry) => (entry.lane ? [entry.lane] : [])))),
      revoke,
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
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const members = membersOfClusterDir(dir);
  const dropped = options.mode === 'up' ? membersNotInSpec(spec, members) : [];
  const build = planFor(spec, options, members);
  // Hosts the spec dropped leave the cluster only when asked: --prune appends their removal.
  const plan = options.prune && dropped.length > 0 ? withRemoval(build, removePlanFor(spec, members, dropped)) : build;
  const entries = countEntries(plan);
  if (options.mode !== 'verify' && !options.yes) {
    const pruning = plan !== build ? ` and remove ${dropped.join(', ')} (no longer in the spec)` : '';
    const what = options.mode === 'drill' ? 'take a control plane down for the failover drill' : `build cluster "${plan.cluster}" (${plan.stages.length} stages, ${entries} steps)${pruning}`;
    const answer = await confirm(`kumi ${options.mode} will ${what}. Continue?`, options.confirmIo);
    // Like reset: a drill is disruptive, so without a terminal to ask on only --yes confirms it.
    if (answer === 'no-terminal' && options.mode === 'drill') throw usageError('kumi drill takes a control plane down and there is no terminal to confirm on: pass --yes to confirm');
    if (answer === false) throw usageError('not confirmed; nothing was run (pass --yes to skip the question)');
  }
  const session = await openSession(sessionOptionsFor(dir, `kumi ${options.mode} ${options.specPath}`, options));
  try {
    // The agents may attach from now on: the version guard below already waits for one.
    options.onListening?.(session.listen);
    const deps = upDeps(session, spec, options, plan);
    // A running cluster at another version is kumi upgrade's (or a refused downgrade): exit 2 before any host changes.
    if (options.mode === 'up') await checkClusterVersion(session, deps, spec, members, options.specPath);
    if (dropped.length > 0 && !options.prune) {
      const remove = ['kumi', 'remove', ...dropped, options.specPath].map(shellWord).join(' ');
      session.progress.emit({ kind: 'PROGRESS', stage: '', host: '', step: '', text: `${dropped.join(', ')} joined the cluster but the spec no longer lists them; kumi up leaves them in: remove them with \`${remove}\` or \`kumi up --prune\`` });
    }
    if (plan !== build) {
      await checkEtcdQuorum(session, deps, plan, 'kumi up --prune');
      // Before the build: a dropped host that is gone for good is kumi remove --unreachable's (exit 4, nothing changed).
      await awaitRemovedHosts(session, deps, dropped, { specPath: options.specPath, attachTimeoutMs: options.attachTimeoutMs, command: 'kumi up --prune' });
    }
    return await runWorkflow(session, {
      label: `kumi ${options.mode}`,
      plan,
      deps,
      retry: retryCommand(options),
      web: { web: options.web, webExposed: options.webExposed },
    });
  } finally {
    await session.close();
  }
}
