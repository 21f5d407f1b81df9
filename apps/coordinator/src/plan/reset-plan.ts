import { type ClusterSpec, type HostSpec, topologyOf } from '../spec';
import { attachStage } from './stages';
import { entry } from './entry';
import { parsePatterns, SelectionError, selectEntries } from './select';
import type { Plan, PlanEntry, PlanStage } from './types';

/** What `kumi reset` / `kumi plan --for reset` narrow the reset plan to. */
export interface ResetPlanOptions {
  /** Only this host (any host of the spec). */
  host?: string;
  only?: readonly string[];
  skip?: readonly string[];
}

/** kubeadm reset on a node, with what it needs to clean up after the runtime and CNI. */
function resetEntry(spec: ClusterSpec, stage: 'reset-workers' | 'reset-control-planes', host: HostSpec): PlanEntry {
  const { runtime, network } = spec.spec;
  return entry(stage, host, 'kubeadm.reset', { runtime, podCidr: network.podCIDR, serviceCidr: network.serviceCIDR });
}

/**
 * The plan of `kumi reset`: kubeadm reset on the workers (in parallel, at most
 * join.workerConcurrency at a time), then on the control planes one at a time in reverse
 * join order (etcd loses one member at a time), then the load balancers (keepalived
 * first, so the VIP leaves before HAProxy stops; last, because the nodes' resets may
 * still need the API through the VIP). Each stage finishes its other hosts after one
 * failed, so one broken host does not leave the rest half reset; the run then stops.
 * Throws SelectionError for a host or --only/--skip pattern the plan does not have.
 */
export function buildResetPlan(spec: ClusterSpec, options: ResetPlanOptions = {}): Plan {
  const topology = topologyOf(spec);
  if (options.host !== undefined && !spec.spec.hosts.some((host) => host.name === options.host)) {
    throw new SelectionError(`host "${options.host}" is not in ${spec.metadata.name}'s spec; hosts: ${spec.spec.hosts.map((host) => host.name).join(', ')}`);
  }
  const wanted = (host: HostSpec) => options.host === undefined || host.name === options.host;
  const loadBalancers = spec.spec.loadBalancer ? topology.loadBalancers : [];
  const stagesOfReset: PlanStage[] = [
    {
      id: 'reset-workers',
      title: 'Reset the workers (kubeadm reset)',
      concurrency: { kind: 'cap', max: spec.spec.join.workerConcurrency },
      afterHostFailure: 'finish-stage',
      before: [],
      entries: topology.workers.filter(wanted).map((host) => resetEntry(spec, 'reset-workers', host)),
      after: [],
    },
    {
      id: 'reset-control-planes',
      title: 'Reset the control planes one at a time, last joined first (kubeadm reset)',
      concurrency: { kind: 'one-at-a-time' },
      afterHostFailure: 'finish-stage',
      before: [],
      entries: [...topology.controlPlanes].reverse().filter(wanted).map((host) => resetEntry(spec, 'reset-control-planes', host)),
      after: [],
    },
    {
      id: 'reset-load-balancers',
      title: 'Take the load balancers down (keepalived, then HAProxy)',
      concurrency: { kind: 'all' },
      afterHostFailure: 'finish-stage',
      before: [],
      entries: loadBalancers
        .filter(wanted)
        .flatMap((host) => [entry('reset-load-balancers', host, 'lb.keepalived', { ensure: 'absent' }), entry('reset-load-balancers', host, 'lb.haproxy', { ensure: 'absent' })]),
      after: [],
    },
  ];
  const work = stagesOfReset.filter((stage) => stage.entries.length > 0);
  const stages = selectEntries(work, parsePatterns(options.only ?? []), parsePatterns(options.skip ?? []));
  const hosts = [...new Set(stages.flatMap((stage) => stage.entries.map((planned) => planned.host)))];
  return { workflow: 'reset', cluster: spec.metadata.name, stages: hosts.length > 0 ? [attachStage(hosts), ...stages] : stages };
}
