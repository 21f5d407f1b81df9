import { type EtcdMember, quorumProblem } from '@kumi/steps';
import { CliError, usageError } from '../cli/cli-error';
import { formatDuration } from '../cli/duration';
import { ExitCode } from '../cli/exit-codes';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { buildRemovePlan, type ClusterMembers, type Plan, RemovalRefused, type RemovePlanOptions, type RunReport, type SchedulerDeps, type SchedulerEvent, SelectionError, stepParams } from '../plan';
import { agentsAttached } from '../plan/readiness';
import type { ClusterSpec } from '../spec';
import { loadSpecForCli } from '../spec/load-for-cli';
import { clusterDirForSpec } from './cluster-dir';
import { AgentsNotAttachedError } from './agents-attached';
import { clusterMembers, recordRemoved } from './cluster-members';
import { confirm } from './confirm';
import { throwIfInterrupted } from './interrupted';
import { type RetryCommand, shellWord } from './failure-summary';
import { runWorkflow, sessionDeps } from './run-workflow';
import { openSession, sessionOptionsFor, type Session, type WorkflowCommandOptions } from './session';

/** Options of `kumi remove HOST... SPEC`. */
export interface RemoveOptions extends WorkflowCommandOptions {
  hosts: string[];
  /** `--unreachable`: the hosts are gone; nothing runs on them (buildRemovePlan). */
  unreachable?: boolean;
}

/** The cluster's members as the state folder's journal records them, read before any lock (nothing is written). */
export function membersOfClusterDir(dir: string): ClusterMembers {
  return clusterMembers(new Journal(dir, new SecretRegistry()));
}

/** The removal plan, or exit 2 with the reason and the fix. */
export function removePlanFor(spec: ClusterSpec, members: ClusterMembers, hosts: readonly string[], options: RemovePlanOptions = {}): Plan {
  try {
    return buildRemovePlan(spec, members, hosts, { only: options.only ?? [], skip: options.skip ?? [], unreachable: options.unreachable === true });
  } catch (error) {
    if (error instanceof RemovalRefused || error instanceof SelectionError) throw usageError(error.message);
    throw error;
  }
}

/** The hosts whose removal the plan finishes with kube.node-delete, by that stage's id. */
function removalEnds(plan: Plan): Map<string, string> {
  const ends = new Map<string, string>();
  for (const stage of plan.stages) for (const entry of stage.entries) if (entry.step === 'kube.node-delete') ends.set(stage.id, String(entry.params['node']));
  return ends;
}

/**
 * An onEvent hook that journals each host's removal once its last stage (the Node deleted)
 * is done: from then on the host is no member, and naming it again is a noop.
 */
export function removalRecorder(session: Session, plan: Plan): (event: SchedulerEvent) => void {
  const ends = removalEnds(plan);
  return (event) => {
    const host = event.kind === 'stage-end' && event.status === 'done' ? ends.get(event.stage) : undefined;
    if (host !== undefined) recordRemoved(session.journal, session.run, host);
  };
}

/**
 * Refuses (exit 2, before anything changes) a removal of control planes that would leave
 * etcd without a healthy majority, from the live member list: the journal says who joined,
 * only etcd says who is healthy now. Each member is removed one after another, so each
 * removal must keep quorum given the ones before it. `command` names the removing command in
 * an interrupt's message.
 */
export async function checkEtcdQuorum(session: Session, deps: SchedulerDeps, plan: Plan, command = 'kumi remove'): Promise<void> {
  const removals = plan.stages.flatMap((stage) => stage.entries.filter((entry) => entry.step === 'etcd.member-remove'));
  const runner = removals[0]?.host;
  if (runner === undefined) return;
  const report = (text: string) => session.progress.emit({ kind: 'PROGRESS', stage: 'attach', host: runner, step: 'etcd.member-list', text });
  let listed;
  try {
    await deps.readiness.wait(agentsAttached([runner]), { stage: 'attach', signal: session.signal, onProgress: report });
    listed = await deps.runner.runStep({ host: runner, step: 'etcd.member-list', params: stepParams('etcd.member-list', {}), secrets: {}, signal: session.signal });
  } catch (error) {
    throwIfInterrupted(session.signal, command);
    throw error;
  }
  if (listed.kind === 'planned') throw new Error('etcd.member-list answered as a dry run');
  const refusal = etcdQuorumRefusal((listed.outputs['members'] ?? []) as EtcdMember[], removals.map((removal) => String(removal.params['member'])));
  if (refusal !== undefined) throw usageError(refusal);
}

/**
 * Why removing these etcd members one after another would lose quorum (the reason and the
 * fix, nothing changed yet), or undefined when each removal keeps a healthy majority.
 * Members etcd no longer has are skipped: an earlier run removed them.
 */
export function etcdQuorumRefusal(members: readonly EtcdMember[], names: readonly string[]): string | undefined {
  let left = [...members];
  for (const name of names) {
    const problem = left.some((member) => member.name === name) ? quorumProblem(left, name) : undefined;
    if (problem !== undefined) {
      return `removing ${name} would lose etcd quorum: ${problem}. Nothing was changed. Fix: bring the unhealthy members back (or add a control plane with \`kumi up\`) first, then remove ${name}.`;
    }
    left = left.filter((member) => member.name !== name);
  }
  return undefined;
}

/**
 * Without --unreachable, the hosts being removed must attach: their part (kubeadm reset) runs
 * on them. Waits for their agents as long as any attach wait (--attach-timeout); a host that
 * stays away is named with the `kumi remove … --unreachable` that says it is gone (exit 4,
 * nothing changed yet). `command` is the removing command (`kumi remove`, `kumi up --prune`).
 */
export async function awaitRemovedHosts(
  session: Session,
  deps: SchedulerDeps,
  hosts: readonly string[],
  options: Pick<RemoveOptions, 'specPath' | 'attachTimeoutMs'> & { command?: string },
): Promise<void> {
  const command = options.command ?? 'kumi remove';
  if (hosts.length === 0) return;
  const report = (text: string) => session.progress.emit({ kind: 'PROGRESS', stage: 'attach', host: '', step: '', text });
  try {
    await deps.readiness.wait(agentsAttached(hosts), { stage: 'attach', signal: session.signal, onProgress: report });
  } catch (error) {
    throwIfInterrupted(session.signal, command);
    if (!(error instanceof AgentsNotAttachedError)) throw error;
    const missing = hosts.join(' ');
    throw new CliError(
      `the agent of ${hosts.join(', ')} did not attach within ${formatDuration(options.attachTimeoutMs)}; ${command} runs kubeadm reset there, so it waits for it. Nothing was changed. Fix: start the agent (or raise --attach-timeout); if the host is gone for good, say so: \`kumi remove ${missing} ${shellWord(options.specPath)} --unreachable\` (its etcd member, HAProxy backend and Node are removed from the other members; nothing runs on it)`,
      ExitCode.UNAVAILABLE,
    );
  }
}

/**
 * `--unreachable` says the hosts are gone; one whose agent is attached is not. Refuses (exit
 * 2, nothing changed) with plain `kumi remove`, which drains it and runs kubeadm reset there
 * instead of leaving a live host that still believes it is a member.
 */
export function refuseAttachedUnreachable(session: Pick<Session, 'coordinator'>, hosts: readonly string[], options: Pick<RemoveOptions, 'specPath'>): void {
  const attached = hosts.filter((host) => session.coordinator.agents.get(host) !== undefined);
  if (attached.length === 0) return;
  throw usageError(
    `--unreachable says ${hosts.join(', ')} ${hosts.length > 1 ? 'are' : 'is'} gone, but the agent of ${attached.join(', ')} is attached. Nothing was changed. Fix: remove ${attached.length > 1 ? 'them' : 'it'} the ordinary way (drained, kubeadm reset run there): \`kumi remove ${hosts.map(shellWord).join(' ')} ${shellWord(options.specPath)}\``,
  );
}

/** What to do on an unreachable host that comes back: it still believes it is a member. */
export function comebackNote(hosts: readonly string[]): string {
  return `if ${hosts.join(', ')} ever ${hosts.length > 1 ? 'come' : 'comes'} back, run \`kubeadm reset -f\` on ${hosts.length > 1 ? 'each' : 'it'} (then remove /etc/cni/net.d and flush the iptables/IPVS rules, as kubeadm reset says) before it runs anything again: its kubelet would register the Node again and a control plane's etcd would try to rejoin`;
}

/** `kumi remove` again, or one entry of it. */
function removeRetry(options: RemoveOptions): RetryCommand {
  const selection = [
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  const base = ['kumi', 'remove', ...options.hosts, options.specPath, ...selection, ...(options.unreachable ? ['--unreachable'] : [])];
  return {
    resume: [...base, '--yes'].map(shellWord).join(' '),
    only: (path) => [...base, '--only', path, '--yes'].map(shellWord).join(' '),
  };
}

/**
 * `kumi remove HOST... SPEC`: the removal plan (buildRemovePlan) run by the one scheduler,
 * after the refusals that need nothing but the spec and the journal (unknown host, host the
 * spec still wants, last control plane) and the live etcd quorum check; without
 * --unreachable the removed hosts' agents must attach (awaitRemovedHosts). Asks on a terminal
 * unless --yes; without a terminal --yes is required. Rerunning it after a crash converges:
 * every step is idempotent, and hosts already removed are skipped.
 */
export async function runRemove(options: RemoveOptions): Promise<RunReport | undefined> {
  const { spec } = await loadSpecForCli(options.specPath);
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const plan = removePlanFor(spec, membersOfClusterDir(dir), options.hosts, options);
  if (plan.stages.length === 0) {
    // On stderr: stdout stays a clean (empty) event stream with --json.
    process.stderr.write(`kumi remove: ${options.hosts.join(', ')} already removed from cluster "${spec.metadata.name}"; nothing to do\n`);
    return undefined;
  }
  const removing = [...removalEnds(plan).values()];
  if (!options.yes) {
    const what = options.unreachable
      ? `take ${removing.join(', ')} out of the cluster from the other members (not drained, nothing runs on ${removing.length > 1 ? 'them' : 'it'}: stated unreachable)`
      : `drain ${removing.join(', ')}, take them out of the cluster and run kubeadm reset on them`;
    const answer = await confirm(`kumi remove will ${what}. Continue?`, options.confirmIo);
    if (answer === 'no-terminal') throw usageError('kumi remove takes hosts out of the cluster and there is no terminal to confirm on: pass --yes to confirm');
    if (!answer) throw usageError('not confirmed; nothing was removed');
  }
  const session = await openSession(sessionOptionsFor(dir, `kumi remove ${options.hosts.join(' ')} ${options.specPath}`, options));
  try {
    const record = removalRecorder(session, plan);
    const deps = sessionDeps(session, 'remove', { attachTimeoutMs: options.attachTimeoutMs, onEvent: record });
    await checkEtcdQuorum(session, deps, plan);
    if (options.unreachable) refuseAttachedUnreachable(session, removing, options);
    else await awaitRemovedHosts(session, deps, removing, options);
    const doneNote = `${removing.join(', ')} removed; the spec no longer lists them${options.unreachable ? `; ${comebackNote(removing)}` : ''}`;
    return await runWorkflow(session, { label: 'kumi remove', plan, deps, retry: removeRetry(options), doneNote });
  } finally {
    await session.close();
  }
}
