import { CliError, usageError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { type ClusterMembers, type SchedulerDeps, stepParams } from '../plan';
import { agentsAttached } from '../plan/readiness';
import { type ClusterSpec, topologyOf } from '../spec';
import { compareKubernetesVersions, upgradeRefusal } from '../spec/kubernetes-versions';
import { AgentsNotAttachedError } from './agents-attached';
import { throwIfInterrupted } from './interrupted';
import { shellWord } from './failure-summary';
import { recordedClusterVersion } from './run-upgrade';
import type { Session } from './session';

/** The cluster's version and where kumi read it. */
export interface LiveVersion {
  version: string;
  /** e.g. "kubeadm-config, read on master1", or "kumi's journal" when no control plane answered. */
  source: string;
}

/** "1.34" from "1.33.2": the minor after this version's. */
function nextMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return `${major}.${minor + 1}`;
}

/**
 * Why `kumi up` refuses a spec whose kubernetes.version differs from the cluster's (the
 * reason and the fix, nothing changed yet), or undefined when they are the same. kumi up
 * installs the spec's packages and joins at the spec's version; on a running cluster a
 * different version is an upgrade (kumi upgrade: kubeadm upgrade plan/apply/node, one minor
 * at a time) or a downgrade, which neither kubeadm nor kumi does.
 */
export function versionGuardRefusal(wanted: string, live: LiveVersion, specPath: string): string | undefined {
  const order = compareKubernetesVersions(wanted, live.version);
  if (order === 0) return undefined;
  const spec = shellWord(specPath);
  const found = `kubernetes.version "${wanted}" in ${specPath} differs from the cluster's ${live.version} (${live.source})`;
  if (order < 0) {
    return `${found}: that is a downgrade, which Kubernetes and kubeadm do not support and kumi does not do. Nothing was changed. Fix: set kubernetes.version: "${live.version}" in ${specPath} (or a newer version, then \`kumi upgrade ${spec}\`).`;
  }
  const upgrade = `\`kumi upgrade ${spec}\` (or \`kumi upgrade ${spec} --to ${wanted}\`)`;
  const how = upgradeRefusal(live.version, wanted) === undefined
    ? `upgrade it with ${upgrade}: kubeadm upgrade apply on the first control plane, the others and the workers after, each node drained`
    : `kubeadm upgrades one minor at a time: set kubernetes.version to a ${nextMinor(live.version)} patch and run \`kumi upgrade ${spec}\`, then the next minor, up to ${wanted}`;
  return `${found}: kumi up builds and grows the cluster at its version and does not upgrade it. Nothing was changed. Fix: ${how}; or set kubernetes.version back to "${live.version}" to build or grow at the cluster's version.`;
}

/** The control planes that joined and the spec still lists, the one kubeadm init ran on first. */
function joinedControlPlanes(spec: ClusterSpec, members: ClusterMembers): string[] {
  const inSpec = topologyOf(spec).controlPlanes.map((host) => host.name);
  return members.controlPlanes.filter((host) => inSpec.includes(host));
}

/**
 * The running cluster's version: kubeadm.cluster-version (read-only: kubeadm-config through
 * admin.conf) on the first joined control plane once its agent attached (as long as any
 * attach wait; exit 4 when it does not), else on each other joined one that is attached. When none answers, the
 * version kumi's journal records (the last upgrade, or the packages of the first build);
 * undefined when that is unknown too. `why` collects what went wrong, for the warning.
 */
async function readLiveVersion(session: Session, deps: SchedulerDeps, hosts: readonly string[], firstControlPlane: string, why: string[]): Promise<LiveVersion | undefined> {
  for (const [index, host] of hosts.entries()) {
    try {
      if (index === 0) {
        const report = (text: string) => session.progress.emit({ kind: 'PROGRESS', stage: 'attach', host, step: 'kubeadm.cluster-version', text });
        await deps.readiness.wait(agentsAttached([host]), { stage: 'attach', signal: session.signal, onProgress: report });
      } else if (session.coordinator.agents.get(host) === undefined) {
        why.push(`${host}: agent not attached`);
        continue;
      }
      // A dry run: the step only reads, and its noop carries the version (run-step.ts reads outputs of a noop).
      const read = await deps.runner.runStep({ host, step: 'kubeadm.cluster-version', params: stepParams('kubeadm.cluster-version', {}), secrets: {}, dryRun: true, signal: session.signal });
      const version = read.kind === 'planned' ? undefined : read.outputs['kubernetesVersion'];
      if (typeof version === 'string') return { version, source: `kubeadm-config, read on ${host}` };
      why.push(`${host}: no version in the answer`);
    } catch (error) {
      throwIfInterrupted(session.signal, 'kumi up');
      // The plan's attach stage would wait for the same agent and fail the same way: say it now.
      if (error instanceof AgentsNotAttachedError) throw new CliError(error.message, ExitCode.UNAVAILABLE);
      why.push(`${host}: ${(error as Error).message}`);
    }
  }
  const recorded = recordedClusterVersion(session.journal.current(), firstControlPlane);
  return recorded === undefined ? undefined : { version: recorded, source: `as kumi's journal records it; no control plane answered (${why.join('; ')})` };
}

/**
 * `kumi up`'s version guard, before the plan runs (nothing sent yet but a read): once a
 * control plane joined, the spec's kubernetes.version must be the cluster's; a different one
 * exits 2 with the fix (versionGuardRefusal). A fresh cluster (no control plane joined yet)
 * is not checked, and hosts being added join at the cluster's version, which is the spec's.
 */
export async function checkClusterVersion(session: Session, deps: SchedulerDeps, spec: ClusterSpec, members: ClusterMembers, specPath: string): Promise<void> {
  const hosts = joinedControlPlanes(spec, members);
  const first = hosts[0];
  if (first === undefined) return;
  const why: string[] = [];
  const live = await readLiveVersion(session, deps, hosts, first, why);
  if (live === undefined) {
    const text = `could not tell the cluster's Kubernetes version (${why.join('; ')}); kumi up goes on at the spec's ${spec.spec.kubernetes.version}`;
    session.progress.emit({ kind: 'PROGRESS', stage: '', host: '', step: '', text });
    return;
  }
  const refusal = versionGuardRefusal(spec.spec.kubernetes.version, live, specPath);
  if (refusal !== undefined) throw usageError(refusal);
}
