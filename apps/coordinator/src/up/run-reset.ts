import { type SecretBag } from '@kumi/steps';
import { CliError, usageError } from '../cli/cli-error';
import { formatDuration } from '../cli/duration';
import { ExitCode } from '../cli/exit-codes';
import { stepParams } from '../plan';
import type { ListenAddress } from '../server/listen-address';
import { type ClusterSpec, topologyOf } from '../spec';
import { loadSpecForCli } from '../spec/load-for-cli';
import type { ClusterSelection } from '../state/state-paths';
import { agentStepEvents } from './agent-steps';
import { AgentsNotAttachedError, agentsAttachedWaiter } from './agents-attached';
import { clusterDirForSpec } from './cluster-dir';
import { confirm, type ConfirmIo } from './confirm';
import { shellWord } from './failure-summary';
import { openSession, sessionOptionsFor, type Session } from './session';

const STAGE = 'reset';
const STEP = 'kubeadm.reset';
/** Load balancers are taken down keepalived first, so the VIP leaves before HAProxy stops. */
const LB_STEPS = ['lb.keepalived', 'lb.haproxy'] as const;
/** Workers reset in parallel, at most this many at once. */
const WORKER_CAP = 5;

/** Options of `kumi reset`. */
export interface ResetOptions {
  specPath: string;
  /** Only this host (a control plane or worker of the spec). */
  host?: string;
  yes: boolean;
  json: boolean;
  selection: ClusterSelection;
  listen?: ListenAddress;
  attachTimeoutMs: number;
  detachGraceMs: number;
  out?: NodeJS.WriteStream;
  confirmIo?: ConfirmIo;
}

interface HostResult {
  host: string;
  ok: boolean;
  /** The step that failed, or the steps that ran. */
  step: string;
  error?: { code: string; message: string; stderrTail?: string; command?: string; exitCode?: number };
}

/** The hosts to reset: workers first, then control planes in reverse join order, then load balancers. */
function targetsOf(spec: ClusterSpec, only: string | undefined): { workers: string[]; controlPlanes: string[]; loadBalancers: string[] } {
  const topology = topologyOf(spec);
  const workers = topology.workers.map((host) => host.name);
  const controlPlanes = topology.controlPlanes.map((host) => host.name).reverse();
  const loadBalancers = spec.spec.loadBalancer ? topology.loadBalancers.map((host) => host.name) : [];
  if (only === undefined) return { workers, controlPlanes, loadBalancers };
  if (workers.includes(only)) return { workers: [only], controlPlanes: [], loadBalancers: [] };
  if (controlPlanes.includes(only)) return { workers: [], controlPlanes: [only], loadBalancers: [] };
  if (loadBalancers.includes(only)) return { workers: [], controlPlanes: [], loadBalancers: [only] };
  throw usageError(`host "${only}" is not in ${spec.metadata.name}'s spec; hosts: ${spec.spec.hosts.map((host) => host.name).join(', ')}`);
}

/** Runs one reset step on a host: its error when it failed, else a note for the journal. */
async function resetStep(session: Session, host: string, step: string, params: Record<string, unknown>): Promise<{ error?: HostResult['error']; note: string }> {
  const emit = (kind: 'START' | 'OUTPUT' | 'PROGRESS' | 'NOOP' | 'DONE' | 'FAILED', text: string, error?: HostResult['error']) =>
    session.progress.emit({ kind, stage: STAGE, host, step, path: `${STAGE}/${step}@${host}`, text, ...(error ? { error } : {}) });
  emit('START', `${STAGE}/${step}@${host}`);
  const secrets: SecretBag = {};
  for await (const event of agentStepEvents(session.coordinator, { host, step, params, secrets, signal: session.signal })) {
    if (event.kind === 'output') emit('OUTPUT', event.line);
    else if (event.kind === 'progress') emit('PROGRESS', event.text);
    else if (event.kind === 'failed') {
      emit('FAILED', event.error.message, event.error);
      session.journal.append({ run: session.run, path: `${STAGE}/${step}`, host, status: 'failed', error: { code: event.error.code, message: event.error.message } });
      return { error: event.error, note: '' };
    } else if (event.kind === 'done' || event.kind === 'noop') {
      emit(event.kind === 'noop' ? 'NOOP' : 'DONE', event.kind === 'noop' ? event.reason : 'reset');
      return { note: event.kind === 'noop' ? `${step}: ${event.reason}` : `${step} done` };
    }
  }
  return { error: { code: 'INTERNAL', message: `${step} on ${host} ended without a result` }, note: '' };
}

/** Resets a node (kubeadm.reset), or takes a load balancer down (keepalived, then HAProxy). */
async function resetHost(session: Session, host: string, steps: readonly { step: string; params: Record<string, unknown> }[]): Promise<HostResult> {
  const notes: string[] = [];
  for (const { step, params } of steps) {
    const { error, note } = await resetStep(session, host, step, params);
    if (error) return { host, ok: false, step, error };
    notes.push(note);
  }
  // From here on `kumi up` starts over for this host.
  session.journal.markReset(session.run, host, notes.join('; '));
  return { host, ok: true, step: steps.map((entry) => entry.step).join(', ') };
}

/** Runs fn over items, at most cap at a time, stopping new work once the signal aborts. */
async function inParallel<T, R>(items: readonly T[], cap: number, signal: AbortSignal, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined && !signal.aborted; item = queue.shift()) results.push(await fn(item));
  };
  await Promise.all(Array.from({ length: Math.min(cap, queue.length) }, worker));
  return results;
}

/**
 * `kumi reset`: kubeadm.reset on every node (or one), workers first and in parallel,
 * then the control planes one at a time in reverse order, so etcd loses one member at a
 * time. Asks on a terminal unless --yes; without a terminal --yes is required. A host
 * reset successfully is marked in the journal, so the next `kumi up` starts over for it.
 */
export async function runReset(options: ResetOptions): Promise<void> {
  const { spec } = await loadSpecForCli(options.specPath);
  const targets = targetsOf(spec, options.host);
  const nodes = [...targets.workers, ...targets.controlPlanes];
  const hosts = [...nodes, ...targets.loadBalancers];
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  if (!options.yes) {
    const what = [
      ...(nodes.length > 0 ? [`run kubeadm reset on ${nodes.join(', ')}: their Kubernetes state (and etcd data on control planes) is deleted`] : []),
      ...(targets.loadBalancers.length > 0 ? [`stop HAProxy and keepalived on ${targets.loadBalancers.join(', ')} and remove kumi's configuration of them (the VIP goes away)`] : []),
    ];
    const answer = await confirm(`kumi reset will ${what.join(', and ')}. Continue?`, options.confirmIo);
    if (answer === 'no-terminal') throw usageError('kumi reset destroys cluster state and there is no terminal to confirm on: pass --yes to confirm');
    if (!answer) throw usageError('not confirmed; nothing was reset');
  }
  const { runtime, network } = spec.spec;
  const nodeSteps = [{ step: STEP, params: stepParams(STEP, { runtime, podCidr: network.podCIDR, serviceCidr: network.serviceCIDR }) }];
  const lbSteps = LB_STEPS.map((step) => ({ step, params: stepParams(step, { ensure: 'absent' }) }));
  const session = await openSession(sessionOptionsFor(dir, `kumi reset ${options.specPath}`, options));
  const started = Date.now();
  try {
    const base = { stage: STAGE, host: '', step: '' };
    session.progress.emit({ ...base, kind: 'RUN_START', text: `kumi reset: ${hosts.join(', ')} (workers first, then control planes one at a time, then load balancers)` });
    const wait = agentsAttachedWaiter(session.coordinator.agents, session.state.hosts, options.attachTimeoutMs);
    session.progress.emit({ ...base, kind: 'WAITING', text: `waiting for agents of ${hosts.join(', ')}` });
    try {
      await wait(hosts, { stage: 'attach', signal: session.signal, onProgress: (text) => session.progress.emit({ ...base, kind: 'WAITING', text }) });
    } catch (error) {
      if (error instanceof AgentsNotAttachedError) throw new CliError(error.message, ExitCode.UNAVAILABLE);
      if (session.signal.aborted) throw new CliError('interrupted before any host was reset', ExitCode.INTERRUPTED);
      throw error;
    }
    const results = await inParallel(targets.workers, WORKER_CAP, session.signal, (host) => resetHost(session, host, nodeSteps));
    if (results.every((result) => result.ok)) results.push(...(await inParallel(targets.controlPlanes, 1, session.signal, (host) => resetHost(session, host, nodeSteps))));
    // The load balancers go last: the nodes' resets may still need the API through the VIP.
    if (results.every((result) => result.ok)) results.push(...(await inParallel(targets.loadBalancers, targets.loadBalancers.length, session.signal, (host) => resetHost(session, host, lbSteps))));
    const failed = results.filter((result) => !result.ok);
    const selection = [
      ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
      ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
    ];
    for (const result of failed) {
      const { step } = result;
      const retry = ['kumi', 'reset', options.specPath, ...selection, '--host', result.host, '--yes'].map(shellWord).join(' ');
      const lines = [`${STAGE}/${step}@${result.host} failed: ${result.error?.code}: ${result.error?.message}`];
      if (result.error?.stderrTail) lines.push('    stderr (last lines):', ...result.error.stderrTail.trimEnd().split('\n').slice(-10).map((line) => `      ${line}`));
      lines.push(`    retry: ${retry}`);
      session.progress.emit({ kind: 'FAILURE', stage: STAGE, host: result.host, step, path: `${STAGE}/${step}@${result.host}`, text: lines.join('\n'), retry, ...(result.error ? { error: result.error } : {}) });
    }
    const took = formatDuration(Date.now() - started);
    if (session.signal.aborted) throw new CliError(`interrupted after resetting ${results.filter((r) => r.ok).length} host(s)`, ExitCode.INTERRUPTED);
    if (failed.length > 0) {
      session.progress.emit({ ...base, kind: 'RUN_FAILED', text: `kumi reset: ${failed.length} host(s) failed after ${took}: ${failed.map((r) => r.host).join(', ')}` });
      throw new CliError(`reset failed on ${failed.map((r) => r.host).join(', ')}; see above`, ExitCode.FAILURE);
    }
    const skipped = hosts.filter((host) => !results.some((result) => result.host === host));
    session.progress.emit({ ...base, kind: 'RUN_DONE', text: `kumi reset: ${results.length} host(s) reset in ${took}${skipped.length ? ` (not reached: ${skipped.join(', ')})` : ''}; the next \`kumi up\` starts over for them` });
  } finally {
    await session.close();
  }
}
