import { type ClusterSpec, type HostSpec, topologyOf } from '../spec';
import { upgradeRefusal } from '../spec/kubernetes-versions';
import { attachStage } from './stages';
import { entry } from './entry';
import { apiHealthy, type Endpoint, etcdHealthy, nodesReady } from './readiness';
import { parsePatterns, selectEntries } from './select';
import type { Plan, PlanEntry, PlanStage, Readiness, UpgradeStageId } from './types';

/** What `kumi upgrade` / `kumi plan --for upgrade` build the upgrade plan from besides the spec. */
export interface UpgradePlanOptions {
  /** The version the cluster runs now, when known: a jump or a downgrade is refused before anything runs. */
  from?: string;
  only?: readonly string[];
  skip?: readonly string[];
}

/** The upgrade the spec asks for is not one kumi (and kubeadm) takes: the message says the path. */
export class UpgradePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpgradePathError';
  }
}

type UpgradeStage = Exclude<UpgradeStageId, 'attach'>;

interface NodeUpgrade {
  spec: ClusterSpec;
  stage: UpgradeStage;
  node: HostSpec;
  /** Where kubectl drain/uncordon run: a host with admin credentials (the node itself on a control plane). */
  admin: HostSpec;
}

/** kubeadm's package first: `kubeadm upgrade plan/apply/node` must be the target's own (policy.go refuses an older kubeadm). */
function kubeadmPackage(spec: ClusterSpec, stage: UpgradeStage, node: HostSpec): PlanEntry {
  const { version } = spec.spec.kubernetes;
  return entry(stage, node, 'kubernetes.packages', { kubernetesVersion: version, runtime: spec.spec.runtime, packages: ['kubeadm'], prePullImages: false });
}

/** Drain, kubelet and kubectl moved and the kubelet restarted, uncordon: the node's own part of the upgrade guide. */
function kubeletPart({ spec, stage, node, admin }: NodeUpgrade): PlanEntry[] {
  const { version } = spec.spec.kubernetes;
  return [
    entry(stage, node, 'kube.drain', { node: node.name }, { runOn: admin }),
    entry(stage, node, 'kubernetes.packages', { kubernetesVersion: version, runtime: spec.spec.runtime, packages: ['kubelet', 'kubectl'], prePullImages: false, restartKubelet: true }),
    entry(stage, node, 'kube.uncordon', { node: node.name }, { runOn: admin }),
  ];
}

/** The other nodes of a stage: `kubeadm upgrade node`, then the kubelet part; each waits for the one before to be Ready again. */
function otherNodes(spec: ClusterSpec, stage: UpgradeStage, nodes: readonly HostSpec[], cp1: HostSpec, endpoint: Endpoint, adminOf: (node: HostSpec) => HostSpec, oneAtATime: boolean): PlanEntry[] {
  return nodes.flatMap((node, index) => {
    const previous = nodes[index - 1];
    // Before the next control plane: etcd healthy and the one before Ready again.
    const gates: Readiness[] = oneAtATime ? [etcdHealthy(cp1, endpoint), ...(previous ? [nodesReady(cp1, endpoint, [previous.name])] : [])] : [];
    return [entry(stage, node, 'kubeadm.upgrade-node', { version: spec.spec.kubernetes.version }, { gates }), ...kubeletPart({ spec, stage, node, admin: adminOf(node) })];
  });
}

/**
 * The plan of `kumi upgrade`: one minor (or patch) at a time, in the order of the kubeadm
 * upgrade guide (kubernetes/website content/en/docs/tasks/administer-cluster/kubeadm/
 * kubeadm-upgrade.md): the kubeadm package and the `kubeadm upgrade plan` gate on the first
 * control plane; once it passed, the kubeadm package on every other node (in parallel: the
 * binary runs nothing); `kubeadm upgrade apply` on the first control plane, then its drain,
 * kubelet and kubectl, kubelet restart, uncordon; the other control planes one at a time
 * with `kubeadm upgrade node` (etcd healthy and the previous one Ready before each); then
 * the workers the same way under join.workerConcurrency, drained from the first control plane.
 * Every step checks the host first, so a rerun after a crash skips what is done. Throws
 * UpgradePathError for a jump of more than one minor or a downgrade (with the path), and
 * SelectionError for --only/--skip patterns that match nothing.
 */
export function buildUpgradePlan(spec: ClusterSpec, options: UpgradePlanOptions = {}): Plan {
  const to = spec.spec.kubernetes.version;
  if (options.from !== undefined) {
    const refusal = upgradeRefusal(options.from, to);
    if (refusal) throw new UpgradePathError(refusal);
  }
  const topology = topologyOf(spec);
  const [cp1, ...otherControlPlanes] = topology.controlPlanes;
  if (cp1 === undefined) throw new Error('buildUpgradePlan needs a validated spec with a control plane');
  const { endpoint } = topology;
  const first: NodeUpgrade = { spec, stage: 'upgrade-first-control-plane', node: cp1, admin: cp1 };
  const others = [...otherControlPlanes, ...topology.workers];
  const stagesOfUpgrade: PlanStage[] = [
    {
      id: 'upgrade-gate',
      title: `Gate on the first control plane (${cp1.name}): kubeadm ${to}, then kubeadm upgrade plan`,
      concurrency: { kind: 'one-at-a-time' },
      before: [apiHealthy(cp1, endpoint), etcdHealthy(cp1, endpoint)],
      entries: [kubeadmPackage(spec, 'upgrade-gate', cp1), entry('upgrade-gate', cp1, 'kubeadm.upgrade-plan', { version: to })],
      after: [],
    },
    {
      id: 'upgrade-kubeadm',
      title: `kubeadm ${to} on the other nodes (nothing restarts)`,
      concurrency: { kind: 'all' },
      before: [],
      entries: others.map((node) => kubeadmPackage(spec, 'upgrade-kubeadm', node)),
      after: [],
    },
    {
      id: 'upgrade-first-control-plane',
      title: `Upgrade the first control plane (${cp1.name}) to ${to}: kubeadm upgrade apply, then its kubelet`,
      concurrency: { kind: 'one-at-a-time' },
      before: [],
      entries: [entry('upgrade-first-control-plane', cp1, 'kubeadm.upgrade-apply', { version: to }), ...kubeletPart(first)],
      after: [nodesReady(cp1, endpoint, [cp1.name]), apiHealthy(cp1, endpoint)],
    },
    {
      id: 'upgrade-control-planes',
      title: `Upgrade the other control planes one at a time (kubeadm upgrade node, then their kubelets)`,
      concurrency: { kind: 'one-at-a-time' },
      before: [],
      entries: otherNodes(spec, 'upgrade-control-planes', otherControlPlanes, cp1, endpoint, (node) => node, true),
      after: [nodesReady(cp1, endpoint, otherControlPlanes.map((host) => host.name)), etcdHealthy(cp1, endpoint)],
    },
    {
      id: 'upgrade-workers',
      title: `Upgrade the workers (at most ${spec.spec.join.workerConcurrency} at a time, drained from ${cp1.name})`,
      concurrency: { kind: 'cap', max: spec.spec.join.workerConcurrency },
      before: [apiHealthy(cp1, endpoint)],
      entries: otherNodes(spec, 'upgrade-workers', topology.workers, cp1, endpoint, () => cp1, false),
      after: [nodesReady(cp1, endpoint, topology.nodes.map((host) => host.name))],
    },
  ];
  const work = stagesOfUpgrade.filter((stage) => stage.entries.length > 0);
  const stages = selectEntries(work, parsePatterns(options.only ?? []), parsePatterns(options.skip ?? []));
  const hosts = [...new Set(stages.flatMap((stage) => stage.entries.flatMap((planned) => [planned.host, ...(planned.runOn ? [planned.runOn] : [])])))];
  return { workflow: 'upgrade', cluster: spec.metadata.name, stages: hosts.length > 0 ? [attachStage(hosts), ...stages] : stages };
}
