import { type ClusterSpec, topologyOf } from '../spec';
import { entry, type PlanContext } from './entry';
import { apiHealthy } from './readiness';
import { parsePatterns, selectEntries } from './select';
import { attachStage, haproxyParams } from './stages';
import type { Plan, PlanStage, RemoveStageId } from './types';

/** The cluster's hosts as the coordinator's journal records them (joined, not removed), in join order. */
export interface ClusterMembers {
  controlPlanes: string[];
  workers: string[];
  /** Hosts a `kumi remove` (or `kumi up --prune`) already took out: naming them again is a noop, not an error. */
  removed: string[];
}

/** `kumi remove` (or `kumi up --prune`) would break the cluster or names no member: exit 2 with the reason and the fix. */
export class RemovalRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemovalRefused';
  }
}

/** What `kumi remove` / `kumi plan --for remove` narrow the removal plan to. */
export interface RemovePlanOptions {
  only?: readonly string[];
  skip?: readonly string[];
  /**
   * `--unreachable`: the operator states the named hosts are gone (powered off, deleted,
   * unreachable for good). Nothing runs on them; the other members forget them.
   */
  unreachable?: boolean;
}

/** kubectl drain's bound: evictions a PodDisruptionBudget holds back are retried until then. */
const DRAIN_TIMEOUT = '5m';

/** The members of the spec's hosts that are not in the spec any more (what `kumi up --prune` removes). */
export function membersNotInSpec(spec: ClusterSpec, members: ClusterMembers): string[] {
  const inSpec = new Set(spec.spec.hosts.map((host) => host.name));
  return [...members.workers, ...members.controlPlanes].filter((host) => !inSpec.has(host));
}

/**
 * Checks a removal before anything runs: every host must be a member (the journal says it
 * joined) that the spec no longer lists (else the next `kumi up` would join it again), and
 * a control plane of the spec that stays must be left to run the cluster-side steps from.
 * Returns that control plane. The etcd quorum is checked against the live members when the
 * removal starts (run-remove.ts), since health is not in the journal.
 */
function refusalCheck(spec: ClusterSpec, members: ClusterMembers, hosts: readonly string[]): string {
  const name = spec.metadata.name;
  const listed = `members: control planes ${members.controlPlanes.join(', ') || '(none)'}; workers ${members.workers.join(', ') || '(none)'}`;
  for (const host of hosts) {
    if (!members.controlPlanes.includes(host) && !members.workers.includes(host)) {
      throw new RemovalRefused(
        `${host} is not in cluster ${name}: kumi's journal has no join of it that was not removed since (${listed}). Fix: check the name; a host that never joined needs no removal, drop it from the spec.`,
      );
    }
  }
  const remaining = members.controlPlanes.filter((host) => !hosts.includes(host));
  if (remaining.length === 0) {
    throw new RemovalRefused(
      `removing ${hosts.filter((host) => members.controlPlanes.includes(host)).join(', ')} would remove the last control plane of ${name} (and etcd with it). Fix: add another control plane to the spec and run \`kumi up\` first (replace = add, then remove), or tear the whole cluster down with \`kumi reset\`.`,
    );
  }
  const stillWanted = hosts.filter((host) => spec.spec.hosts.some((candidate) => candidate.name === host));
  if (stillWanted.length > 0) {
    throw new RemovalRefused(`${stillWanted.join(', ')} ${stillWanted.length > 1 ? 'are' : 'is'} still in the spec, so the next \`kumi up\` would join ${stillWanted.length > 1 ? 'them' : 'it'} again. Fix: delete ${stillWanted.join(', ')} from spec.hosts first, then remove.`);
  }
  const runner = topologyOf(spec).controlPlanes.find((host) => remaining.includes(host.name));
  if (runner === undefined) {
    throw new RemovalRefused(`no control plane of the spec has joined ${name} to run the removal from (joined: ${remaining.join(', ')}). Fix: run \`kumi up\` first.`);
  }
  return runner.name;
}

/**
 * The stages that take `host` out of the cluster, kubeadm's "remove a node" order: drain it
 * (bounded, PodDisruptionBudgets respected; --force, since the node goes away), for a control
 * plane take it out of HAProxy's backends (no API request through the VIP goes to an API
 * server whose etcd member leaves) and then out of etcd (asked of a healthy other member),
 * then `kubeadm reset` on the host, then delete its Node (after the reset, so its kubelet
 * cannot register it again). Every step is idempotent, so a rerun after a crash converges.
 *
 * An unreachable host (`--unreachable`) gets only what the other members do: no entry runs
 * on it (no kubeadm reset), and it is not drained either. kubectl drain evicts through the
 * API, but a pod on a node whose kubelet is gone never confirms its termination: it stays
 * Terminating and the drain runs into its timeout. Deleting the Node is what ends those pods:
 * the pod garbage collector deletes pods bound to a node that no longer exists (kubernetes/
 * kubernetes pkg/controller/podgc gc_controller.go, gcOrphaned), and their controllers
 * create them again elsewhere, as for the non-graceful node shutdown the Kubernetes docs
 * describe. So: HAProxy and etcd for a control plane, then the Node deleted.
 */
function hostStages(ctx: PlanContext, runner: string, host: string, controlPlane: boolean, unreachable: boolean): PlanStage[] {
  const { spec, topology, endpoint } = ctx;
  const on = { name: runner };
  const sid = (id: RemoveStageId) => `${id}-${host}`;
  const stage = (id: RemoveStageId, title: string, entries: PlanStage['entries'], extra: Partial<PlanStage> = {}): PlanStage => ({
    id: sid(id),
    title,
    concurrency: { kind: 'one-at-a-time' },
    before: [],
    entries,
    after: [],
    ...extra,
  });
  const api = [apiHealthy(ctx.firstControlPlane, endpoint)];
  const stages: PlanStage[] = unreachable
    ? []
    : [stage('drain', `Drain ${host} (kubectl drain, up to ${DRAIN_TIMEOUT})`, [entry(sid('drain'), on, 'kube.drain', { node: host, timeout: DRAIN_TIMEOUT, force: true })], { before: api })];
  if (controlPlane) {
    if (spec.spec.loadBalancer) {
      const lbs = topology.loadBalancers.map((lb) => entry(sid('load-balancers'), lb, 'lb.haproxy', haproxyParams(ctx)));
      stages.push(stage('load-balancers', `Take ${host} out of HAProxy's backends (validated, reloaded)`, lbs, { concurrency: { kind: 'all' } }));
    }
    stages.push(stage('etcd-member', `Remove ${host}'s etcd member (from ${runner})`, [entry(sid('etcd-member'), on, 'etcd.member-remove', { member: host })]));
  }
  const { runtime, network } = spec.spec;
  if (!unreachable) {
    stages.push(stage('reset', `kubeadm reset on ${host}`, [entry(sid('reset'), { name: host }, 'kubeadm.reset', { runtime, podCidr: network.podCIDR, serviceCidr: network.serviceCIDR })]));
  }
  const gone = unreachable ? ` (${host} is unreachable: not drained, nothing runs on it)` : '';
  stages.push(stage('delete-node', `Delete node ${host} (from ${runner})${gone}`, [entry(sid('delete-node'), on, 'kube.node-delete', { node: host })]));
  // Without a drain, the host's first stage waits for the API instead.
  const [first, ...rest] = stages;
  return unreachable && first ? [{ ...first, before: api }, ...rest] : stages;
}

/**
 * The plan of `kumi remove HOST...`: each host's stages (hostStages), workers first, then
 * control planes last joined first, one host after another (with `unreachable`, only the
 * other members' part: see hostStages). Throws RemovalRefused for a
 * removal that names no member, a host the spec still wants, or the last control plane;
 * SelectionError for --only/--skip patterns that match nothing.
 */
export function buildRemovePlan(spec: ClusterSpec, members: ClusterMembers, hosts: readonly string[], options: RemovePlanOptions = {}): Plan {
  if (hosts.length === 0) throw new RemovalRefused('name the hosts to remove, e.g. `kumi remove worker2 cluster.yaml`');
  // Hosts an earlier run already removed (e.g. the first of two, before a crash) need nothing more.
  const inSpec = (host: string) => spec.spec.hosts.some((candidate) => candidate.name === host);
  const unique = [...new Set(hosts)].filter((host) => !(members.removed.includes(host) && !inSpec(host)));
  if (unique.length === 0) return { workflow: 'remove', cluster: spec.metadata.name, stages: [] };
  const runner = refusalCheck(spec, members, unique);
  const topology = topologyOf(spec);
  const firstControlPlane = topology.controlPlanes.find((host) => host.name === runner);
  if (firstControlPlane === undefined) throw new Error(`control plane ${runner} vanished from the spec`);
  const ctx: PlanContext = { spec, topology, endpoint: topology.endpoint, firstControlPlane };
  const workers = members.workers.filter((host) => unique.includes(host));
  const controlPlanes = [...members.controlPlanes].reverse().filter((host) => unique.includes(host));
  const unreachable = options.unreachable === true;
  const work = [...workers.flatMap((host) => hostStages(ctx, runner, host, false, unreachable)), ...controlPlanes.flatMap((host) => hostStages(ctx, runner, host, true, unreachable))];
  const stages = selectEntries(work, parsePatterns(options.only ?? []), parsePatterns(options.skip ?? []));
  const used = [...new Set([runner, ...stages.flatMap((stage) => stage.entries.map((planned) => planned.host))])];
  return { workflow: 'remove', cluster: spec.metadata.name, stages: [attachStage(used), ...stages] };
}

/** `kumi up --prune`: the build's plan, then the removal of the members the spec dropped (attach waits for both). */
export function withRemoval(build: Plan, removal: Plan): Plan {
  const [buildAttach, ...buildWork] = build.stages;
  const [removalAttach, ...removalWork] = removal.stages;
  const hostsOf = (stage: PlanStage | undefined) => (stage?.after ?? []).flatMap((readiness) => (readiness.check.kind === 'agents-attached' ? readiness.check.hosts : []));
  const hosts = [...new Set([...hostsOf(buildAttach), ...hostsOf(removalAttach)])];
  return { ...build, stages: [attachStage(hosts), ...buildWork, ...removalWork] };
}
