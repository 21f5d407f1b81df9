import { parseHostPort } from './ipv4';
import type { ClusterSpec, HostRole, HostSpec } from './schema';

/** The hosts of a spec sorted by what they do, in the order kumi uses them. */
export interface Topology {
  /** Load balancers in keepalived priority order (the first is MASTER). */
  loadBalancers: HostSpec[];
  /** Control planes in spec order; the first one runs kubeadm init. */
  controlPlanes: HostSpec[];
  workers: HostSpec[];
  /** Hosts that become Kubernetes nodes (control planes, then workers). */
  nodes: HostSpec[];
  endpoint: { host: string; port: number };
}

/** Whether a host has a role. */
export function hasRole(host: HostSpec, role: HostRole): boolean {
  return host.roles.includes(role);
}

/** Sorts a validated spec's hosts by role. Assumes the spec passed the schema. */
export function topologyOf(spec: ClusterSpec): Topology {
  const hosts = spec.spec.hosts;
  const byRole = (role: HostRole) => hosts.filter((host) => hasRole(host, role));
  const listed = spec.spec.loadBalancer?.hosts;
  const loadBalancers = listed
    ? listed.flatMap((name) => hosts.filter((host) => host.name === name && hasRole(host, 'loadbalancer')))
    : byRole('loadbalancer');
  const controlPlanes = byRole('control-plane');
  const workers = byRole('worker');
  const parsed = parseHostPort(spec.spec.kubernetes.controlPlaneEndpoint);
  const endpoint = 'reason' in parsed ? { host: '', port: 0 } : parsed;
  return { loadBalancers, controlPlanes, workers, nodes: [...controlPlanes, ...workers], endpoint };
}
