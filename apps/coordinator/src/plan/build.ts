import { readFileSync } from 'node:fs';
import { type ClusterSpec, type HostSpec, parseSpecText, topologyOf } from '../spec';
import { parsePatterns, selectEntries } from './select';
import { drillStage, verifyStage } from './check-stages';
import type { PlanContext } from './entry';
import { joinControlPlanesStage, joinWorkersStage } from './join-stages';
import { attachStage, endpointStage, initStage, podNetworkStage, prepareStage, preflightStage } from './stages';
import type { ClusterMembers } from './remove-plan';
import type { Plan, PlanStage, Readiness } from './types';

/** What `kumi plan` / `kumi up` select from the full plan. */
export interface BuildPlanOptions {
  /** Path patterns to keep (all entries when empty); see select.ts. */
  only?: readonly string[];
  /** Path patterns to leave out. */
  skip?: readonly string[];
  /**
   * The hosts the journal says joined. When the cluster exists, its first joined control
   * plane of the spec stands in for kubeadm init (a noop there), whatever the spec's order:
   * a new control plane listed first joins the cluster instead of initialising a second one.
   */
  members?: Pick<ClusterMembers, 'controlPlanes'>;
}

/**
 * The ordered stages that build the spec's cluster. Every entry's params are checked
 * against its step's schema here, so a mismatch fails before anything runs. Throws
 * SelectionError for --only/--skip patterns that match nothing.
 */
export function buildPlan(spec: ClusterSpec, options: BuildPlanOptions = {}): Plan {
  const topology = topologyOf(spec);
  const firstControlPlane = initHostOf(spec, options.members);
  if (firstControlPlane === undefined) throw new Error('buildPlan needs a validated spec with a control plane');
  const ctx: PlanContext = { spec, topology, endpoint: topology.endpoint, firstControlPlane };
  const work: PlanStage[] = [
    preflightStage(ctx),
    prepareStage(ctx),
    ...(spec.spec.loadBalancer ? [endpointStage(ctx)] : []),
    initStage(ctx),
    podNetworkStage(ctx),
    joinControlPlanesStage(ctx),
    joinWorkersStage(ctx),
    ...(spec.spec.verify.enabled ? [verifyStage(ctx)] : []),
    ...(spec.spec.drill.enabled ? [drillStage(ctx)] : []),
  ].filter((stage) => stage.entries.length > 0);
  const allHosts = spec.spec.hosts.map((host) => host.name);
  const stages = selectEntries([attachStage(allHosts), ...work], parsePatterns(options.only ?? []), parsePatterns(options.skip ?? []));
  return { workflow: 'up', cluster: spec.metadata.name, stages: withAttachFor(stages, allHosts) };
}

/**
 * The control plane that runs (or, in a cluster that exists, stands for) kubeadm init: the
 * first of the spec's control planes the journal says joined, else the spec's first.
 */
export function initHostOf(spec: ClusterSpec, members?: Pick<ClusterMembers, 'controlPlanes'>): HostSpec | undefined {
  const controlPlanes = topologyOf(spec).controlPlanes;
  return controlPlanes.find((host) => members?.controlPlanes.includes(host.name)) ?? controlPlanes[0];
}

/**
 * The ids of the stages `kumi up` runs for this spec, in order (from the plan itself, so
 * the crash tests' list of stage boundaries can never drift from the scheduler's).
 */
export function upStageOrder(spec: ClusterSpec): string[] {
  return buildPlan(spec).stages.map((stage) => stage.id);
}

/**
 * upStageOrder for a spec file, read synchronously (for test tables built at import time,
 * e.g. the lab's crash chain: one crash after every stage boundary).
 */
export function upStageOrderOfFile(path: string): string[] {
  return upStageOrder(parseSpecText(readFileSync(path, 'utf8'), path).spec);
}

/** Narrows the attach stage to the hosts the selected stages use (all when none). */
function withAttachFor(stages: PlanStage[], allHosts: string[]): PlanStage[] {
  const used = new Set<string>();
  const addProbeHost = (readiness: Readiness) => {
    if (readiness.check.kind === 'probe') used.add(readiness.check.host);
  };
  for (const stage of stages) {
    for (const entry of stage.entries) {
      used.add(entry.host);
      if (entry.runOn) used.add(entry.runOn);
      entry.gates.forEach(addProbeHost);
    }
    [...stage.before, ...stage.after].forEach(addProbeHost);
  }
  const hosts = used.size === 0 ? allHosts : allHosts.filter((host) => used.has(host));
  return stages.map((stage) => (stage.id === 'attach' ? attachStage(hosts) : stage));
}
