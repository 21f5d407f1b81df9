import { hasRole, type HostSpec } from '../spec';
import { entry, API_SERVER_PORT, type PlanContext, stepRoles } from './entry';
import { joinLane } from './join-stages';
import { agentsAttached, apiHealthy, nodesReady } from './readiness';
import type { PlanEntry, PlanStage } from './types';

/** How long every node waits for the endpoint (HAProxy on the VIP) to accept connections. */
const ENDPOINT_WAIT_SECONDS = 300;

function isNode(host: HostSpec): boolean {
  return hasRole(host, 'control-plane') || hasRole(host, 'worker');
}

/** Waits until every host of the plan has attached. */
export function attachStage(hosts: readonly string[]): PlanStage {
  return { id: 'attach', title: 'Wait for every agent to attach', concurrency: { kind: 'all' }, before: [], entries: [], after: [agentsAttached(hosts)] };
}

/** Read-only checks on every host at once. */
export function preflightStage({ spec, endpoint }: PlanContext): PlanStage {
  const { kubernetes, runtime, preflight } = spec.spec;
  const entries = spec.spec.hosts.map((host) =>
    entry('preflight', host, 'preflight', { roles: stepRoles(host), kubernetesVersion: kubernetes.version, runtime, lbFrontendPort: endpoint.port, ignore: preflight.ignore }, {
      inputs: [{ param: 'peers', source: 'peer-identities', required: false }],
    }),
  );
  return { id: 'preflight', title: 'Preflight checks on every host', concurrency: { kind: 'all' }, before: [], entries, after: [] };
}

/** Host preparation: nodes get swap/kernel/firewall/runtime/packages, load balancers HAProxy and keepalived, all at once. */
export function prepareStage({ spec, topology, endpoint }: PlanContext): PlanStage {
  const { kubernetes, network, runtime, firewall, cni, docker, loadBalancer } = spec.spec;
  const entries: PlanEntry[] = [];
  for (const host of spec.spec.hosts) {
    const firewallParams = { backend: firewall, roles: stepRoles(host), podCidr: network.podCIDR, serviceCidr: network.serviceCIDR, flannelBackend: cni.backend, lbFrontendPort: endpoint.port };
    if (isNode(host)) {
      entries.push(entry('prepare', host, 'swap.off', {}), entry('prepare', host, 'kernel.modules', {}), entry('prepare', host, 'sysctl.kubernetes', {}));
    }
    entries.push(entry('prepare', host, 'firewall', firewallParams));
    if (isNode(host)) {
      entries.push(
        runtime === 'docker'
          ? entry('prepare', host, 'runtime.docker', { kubernetesVersion: kubernetes.version, criDockerd: docker?.criDockerd })
          : entry('prepare', host, 'runtime.containerd', { kubernetesVersion: kubernetes.version }),
        entry('prepare', host, 'kubernetes.packages', { kubernetesVersion: kubernetes.version, runtime }),
      );
    }
    const lbIndex = topology.loadBalancers.indexOf(host);
    if (loadBalancer && lbIndex >= 0) {
      entries.push(
        entry('prepare', host, 'lb.haproxy', haproxyParams({ topology, endpoint })),
        entry('prepare', host, 'lb.keepalived', {
          vip: loadBalancer.vip,
          state: lbIndex === 0 ? 'MASTER' : 'BACKUP',
          priority: 101 - lbIndex,
          virtualRouterId: loadBalancer.virtualRouterId,
          authPass: loadBalancer.authPass,
          apiPort: endpoint.port,
        }),
      );
    }
  }
  return { id: 'prepare', title: 'Prepare hosts (nodes and load balancers in parallel)', concurrency: { kind: 'all' }, before: [], entries, after: [] };
}

/**
 * lb.haproxy's parameters: the spec's control planes are the backends. `kumi up` and
 * `kumi remove` render the same, so HAProxy follows the control-plane set as it grows and
 * shrinks (the step validates the new file with `haproxy -c` and reloads, never restarts).
 */
export function haproxyParams({ topology, endpoint }: Pick<PlanContext, 'topology' | 'endpoint'>): Record<string, unknown> {
  return { frontendPort: endpoint.port, backends: topology.controlPlanes.map((cp) => ({ name: cp.name, address: cp.address, port: API_SERVER_PORT })) };
}

/** Every node waits until the endpoint (HAProxy on the VIP) accepts connections. */
export function endpointStage({ topology, endpoint }: PlanContext): PlanStage {
  const entries = topology.nodes.map((host) =>
    entry('endpoint', host, 'net.wait-tcp', { host: endpoint.host, port: endpoint.port, timeoutSeconds: ENDPOINT_WAIT_SECONDS, what: 'the API endpoint (HAProxy on the VIP)' }),
  );
  return { id: 'endpoint', title: 'Endpoint ready: the VIP answers on every node', concurrency: { kind: 'all' }, before: [], entries, after: [] };
}

/** kubeadm init on the first control plane. */
export function initStage({ spec, endpoint, firstControlPlane: cp1 }: PlanContext): PlanStage {
  const { kubernetes, network, runtime } = spec.spec;
  const tokenTtl = '2h';
  const init = entry(
    'init',
    cp1,
    'kubeadm.init',
    {
      kubernetesVersion: kubernetes.version,
      controlPlaneEndpoint: endpoint,
      advertiseAddress: cp1.address,
      bindPort: API_SERVER_PORT,
      podCidr: network.podCIDR,
      serviceCidr: network.serviceCIDR,
      runtime,
      nodeName: cp1.name,
      tokenTtl,
      clusterName: spec.metadata.name,
    },
    {
      secrets: [
        { name: 'bootstrapToken', mint: { how: 'generate', installedBy: 'kubeadm.init (InitConfiguration bootstrapTokens)', lifetime: tokenTtl } },
        { name: 'certificateKey', mint: { how: 'generate', installedBy: 'kubeadm.init --upload-certs', lifetime: '2h' } },
      ],
      lane: joinLane('init', cp1),
    },
  );
  // init's own token is never used (every join gets its own): deleted at once, visibly,
  // also after a failed init (cleanup; the step is a NOOP when init made no token).
  const revoke = entry('init', cp1, 'kubeadm.token-delete', {}, { lane: joinLane('init', cp1), cleanup: true, inputs: [{ param: 'tokenId', source: 'lane-token-id', required: true }] });
  return {
    id: 'init',
    title: `Initialize the first control plane (${cp1.name})`,
    concurrency: { kind: 'one-at-a-time' },
    before: [],
    entries: [init, revoke, entry('init', cp1, 'kubeadm.admin-kubeconfig', {})],
    after: [apiHealthy(cp1, endpoint)],
  };
}

/** flannel, applied from the first control plane. */
export function podNetworkStage({ spec, endpoint, firstControlPlane: cp1 }: PlanContext): PlanStage {
  const { cni, network } = spec.spec;
  const flannel = entry('pod-network', cp1, 'cni.flannel', { version: cni.version, manifest: cni.manifest, podCidr: network.podCIDR, backend: cni.backend });
  return {
    id: 'pod-network',
    title: 'Pod network (flannel)',
    concurrency: { kind: 'one-at-a-time' },
    before: [apiHealthy(cp1, endpoint)],
    entries: [flannel],
    after: [nodesReady(cp1, endpoint, [cp1.name])],
  };
}

