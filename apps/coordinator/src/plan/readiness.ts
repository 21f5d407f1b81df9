import type { HostSpec } from '../spec';
import { stepParams } from './step-params';
import type { Readiness } from './types';

/** How long a port probe waits for the port to accept connections. */
const PORT_PROBE_SECONDS = 120;
/** How long a health probe (verify with one check) may take. */
const HEALTH_PROBE_MS = 180_000;

/** Where clients reach the API: the VIP and HAProxy's port, or the single control plane. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Every host in `hosts` has an attached agent. */
export function agentsAttached(hosts: readonly string[]): Readiness {
  return {
    id: 'agents-attached',
    waitsFor: `agents of ${hosts.length} host(s) attached: ${hosts.join(', ')}`,
    check: { kind: 'agents-attached', hosts: [...hosts] },
  };
}

/** `from` can open a TCP connection to address:port (a host-to-host port probe). */
export function tcpReachable(id: string, from: HostSpec, address: string, port: number, what: string): Readiness {
  return {
    id,
    waitsFor: `${from.name} reaches ${what} at ${address}:${port}`,
    check: {
      kind: 'probe',
      host: from.name,
      step: 'net.wait-tcp',
      params: stepParams('net.wait-tcp', { host: address, port, timeoutSeconds: PORT_PROBE_SECONDS, what }),
    },
  };
}

/** GET https://endpoint/healthz answers ok, asked from control plane `via`. */
export function apiHealthy(via: HostSpec, endpoint: Endpoint): Readiness {
  return {
    id: 'api-healthy',
    waitsFor: `API server healthy through ${endpoint.host}:${endpoint.port} (checked from ${via.name})`,
    check: { kind: 'probe', host: via.name, step: 'verify', params: verifyProbe(endpoint, ['api-via-vip']) },
  };
}

/** Every etcd member reports healthy, asked from control plane `via`. */
export function etcdHealthy(via: HostSpec, endpoint: Endpoint): Readiness {
  return {
    id: 'etcd-healthy',
    waitsFor: `every etcd member healthy (checked from ${via.name})`,
    check: { kind: 'probe', host: via.name, step: 'verify', params: verifyProbe(endpoint, ['etcd-health']) },
  };
}

/** The listed nodes are Ready, asked from control plane `via`. */
export function nodesReady(via: HostSpec, endpoint: Endpoint, nodes: readonly string[]): Readiness {
  return {
    id: 'nodes-ready',
    waitsFor: `node(s) Ready: ${nodes.join(', ')} (checked from ${via.name})`,
    check: { kind: 'probe', host: via.name, step: 'verify', params: verifyProbe(endpoint, ['nodes-ready'], nodes) },
  };
}

function verifyProbe(endpoint: Endpoint, checks: string[], expectedNodes: readonly string[] = []): Record<string, unknown> {
  return stepParams('verify', { endpoint, checks, expectedNodes: [...expectedNodes], timeoutMs: HEALTH_PROBE_MS });
}
