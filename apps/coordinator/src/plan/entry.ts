import type { ClusterSpec, HostRole, HostSpec, Topology } from '../spec';
import type { Endpoint } from './readiness';
import { stepParams } from './step-params';
import type { PlanEntry, Readiness, RuntimeInput, SecretNeed, StageId } from './types';

/** kube-apiserver's port on every control plane (HAProxy's backends). */
export const API_SERVER_PORT = 6443;

/** What every stage builder reads. */
export interface PlanContext {
  spec: ClusterSpec;
  topology: Topology;
  endpoint: Endpoint;
  /** The control plane that runs kubeadm init and answers health probes. */
  firstControlPlane: HostSpec;
}

/** What an entry may carry besides its params. */
export interface EntryExtras {
  secrets?: SecretNeed[];
  inputs?: RuntimeInput[];
  gates?: Readiness[];
  /** Run the step on this host instead, in `host`'s lane (see PlanEntry.runOn). */
  runOn?: HostSpec;
  /** See PlanEntry.lane. */
  lane?: string;
  /** See PlanEntry.cleanup. */
  cleanup?: true;
}

/** One (host, step) entry; its params are checked against the step schema here. The host needs only its name (a host being removed is no longer in the spec). */
export function entry(stage: StageId, host: Pick<HostSpec, 'name'>, step: string, params: Record<string, unknown>, extras: EntryExtras = {}): PlanEntry {
  const inputs = extras.inputs ?? [];
  return {
    stage,
    host: host.name,
    step,
    path: `${stage}/${step}@${host.name}`,
    params: stepParams(step, params, inputs.filter((input) => input.required).map((input) => input.param)),
    secrets: extras.secrets ?? [],
    inputs,
    gates: extras.gates ?? [],
    ...(extras.runOn && extras.runOn.name !== host.name ? { runOn: extras.runOn.name } : {}),
    ...(extras.lane ? { lane: extras.lane } : {}),
    ...(extras.cleanup ? { cleanup: true } : {}),
  };
}

/** The roles as the steps name them. */
export function stepRoles(host: HostSpec): string[] {
  const names: Record<HostRole, string> = { loadbalancer: 'load-balancer', 'control-plane': 'control-plane', worker: 'worker' };
  return host.roles.map((role) => names[role]);
}
