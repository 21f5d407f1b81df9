import { usageError } from '../cli/cli-error';
import type { JournalRecord } from '../journal/journal';
import { buildUpgradePlan, type Plan, type PlanEntry, type RunReport, SelectionError, UpgradePathError } from '../plan';
import { type ClusterSpec, topologyOf } from '../spec';
import { loadSpecForCli } from '../spec/load-for-cli';
import { runAgentStep } from './agent-steps';
import { clusterDirForSpec } from './cluster-dir';
import { confirm } from './confirm';
import { type RetryCommand, shellWord } from './failure-summary';
import { runWorkflow, sessionDeps } from './run-workflow';
import { openSession, sessionOptionsFor, type Session, type WorkflowCommandOptions } from './session';

/** Options of `kumi upgrade`. */
export interface UpgradeOptions extends WorkflowCommandOptions {
  /** `--to X`: must equal the spec's kubernetes.version (the spec stays the source of truth). */
  to?: string;
}

/**
 * The Kubernetes version kumi last brought the cluster to, from the journal: the latest
 * `kubeadm.upgrade-apply` (its kubernetesVersion output), or the kubeadm package `kumi up`
 * installed on the first control plane. undefined when kumi has no record (the
 * `kubeadm upgrade plan` gate then enforces kubeadm's skew policy on the live cluster).
 */
export function recordedClusterVersion(records: readonly JournalRecord[], firstControlPlane: string): string | undefined {
  let version: string | undefined;
  for (const record of records) {
    if (record.status !== 'done' && record.status !== 'noop') continue;
    const outputs = record.outputs ?? {};
    if (record.path.endsWith('/kubeadm.upgrade-apply') && typeof outputs['kubernetesVersion'] === 'string') version = outputs['kubernetesVersion'];
    else if (record.path === 'prepare/kubernetes.packages' && record.host === firstControlPlane && typeof outputs['kubeadm'] === 'string') version = outputs['kubeadm'].split(':').pop()?.split('-')[0];
  }
  return version;
}

/** The upgrade plan, or exit 2 with the fix (a jump, a downgrade, a pattern that matches nothing). */
function upgradePlanFor(spec: ClusterSpec, options: UpgradeOptions, from: string | undefined): Plan {
  try {
    return buildUpgradePlan(spec, { ...(from ? { from } : {}), only: options.only, skip: options.skip });
  } catch (error) {
    if (error instanceof SelectionError || error instanceof UpgradePathError) throw usageError(error.message);
    throw error;
  }
}

/** `kumi upgrade` again, with the user's selection. */
function upgradeRetry(options: UpgradeOptions): RetryCommand {
  const selection = [
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  const base = ['kumi', 'upgrade', options.specPath, ...selection];
  const narrowed = [...(options.only ?? []).flatMap((p) => ['--only', p]), ...(options.skip ?? []).flatMap((p) => ['--skip', p])];
  return {
    resume: [...base, ...narrowed, '--yes'].map(shellWord).join(' '),
    only: (path) => [...base, '--only', path, '--yes'].map(shellWord).join(' '),
  };
}

/**
 * The scheduler's isDone for the upgrade: every step checks its host, so a rerun finds the
 * finished ones noop by itself; only a drain would undo work (it cordons a node that was
 * uncordoned after its upgrade). A node's drain is skipped when its kubelet entry has
 * nothing left to do (dry run on the host): the node is upgraded and its kubelet restarted.
 */
function skipDrainOfUpgradedNode(session: Session, plan: Plan, notes: Map<string, string>): (entry: PlanEntry) => Promise<boolean> {
  const entries = plan.stages.flatMap((stage) => stage.entries);
  return async (entry) => {
    if (entry.step !== 'kube.drain') return false;
    const kubelet = entries.find(
      (candidate) => candidate.stage === entry.stage && candidate.host === entry.host && candidate.step === 'kubernetes.packages' && (candidate.params['packages'] as string[]).includes('kubelet'),
    );
    if (kubelet === undefined) return false;
    const result = await runAgentStep(session.coordinator, { host: kubelet.host, step: kubelet.step, params: kubelet.params, secrets: {}, dryRun: true, signal: session.signal }).then(
      (found) => found,
      // The host could not say: drain it (draining twice is harmless).
      () => undefined,
    );
    if (result?.kind !== 'noop') return false;
    notes.set(entry.path, `${entry.host} is upgraded already (${result.reason}): no drain`);
    return true;
  };
}

/**
 * `kumi upgrade SPEC [--to X]`: moves the cluster to the spec's kubernetes.version, one
 * minor at a time (buildUpgradePlan), on the one scheduler. A jump of more than one minor or
 * a downgrade from the version kumi recorded is refused before anything runs (exit 2, with
 * the path to take); `--to` must repeat the spec's version. Asks on a terminal unless --yes
 * (nodes are drained); without a terminal --yes is required. A rerun after a crash resumes:
 * finished steps check noop on their hosts.
 */
export async function runUpgrade(options: UpgradeOptions): Promise<RunReport> {
  const { spec } = await loadSpecForCli(options.specPath);
  const to = spec.spec.kubernetes.version;
  if (options.to !== undefined && options.to.replace(/^v/, '') !== to) {
    throw usageError(
      `--to ${options.to} differs from kubernetes.version "${to}" in ${options.specPath}: the spec records the cluster's version (kumi up refuses a spec at another version than the cluster's). Fix: set kubernetes.version: "${options.to.replace(/^v/, '')}" in the spec and run kumi upgrade ${options.specPath}`,
    );
  }
  upgradePlanFor(spec, options, undefined); // Patterns are checked before the lock is taken.
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const session = await openSession(sessionOptionsFor(dir, `kumi upgrade ${options.specPath}`, options));
  try {
    const firstControlPlane = topologyOf(spec).controlPlanes[0]?.name ?? '';
    const from = recordedClusterVersion(session.journal.current(), firstControlPlane);
    const plan = upgradePlanFor(spec, options, from);
    if (!options.yes) {
      const answer = await confirm(`kumi upgrade will move cluster "${plan.cluster}" from ${from ?? 'its current version'} to Kubernetes ${to}, draining each node in turn. Continue?`, options.confirmIo);
      if (answer === 'no-terminal') throw usageError('kumi upgrade drains every node and there is no terminal to confirm on: pass --yes to confirm');
      if (!answer) throw usageError('not confirmed; nothing was upgraded');
    }
    const notes = new Map<string, string>();
    const deps = { ...sessionDeps(session, 'upgrade', { attachTimeoutMs: options.attachTimeoutMs, notes }), isDone: skipDrainOfUpgradedNode(session, plan, notes) };
    return await runWorkflow(session, { label: 'kumi upgrade', plan, deps, retry: upgradeRetry(options), doneNote: `every node runs Kubernetes ${to}` });
  } finally {
    await session.close();
  }
}
