import type { StepCases } from '../../contract/step-contract';
import { CONTROL_PLANE_COMPONENTS } from './cluster-state';
import { dnsutilsManifest } from './probes';
import { verify } from './verify';

const params = { endpoint: { host: '192.0.2.100' } };
const nodes = [
  { name: 'master1', ready: true, controlPlane: true, internalIp: '192.0.2.21' },
  { name: 'worker1', ready: true, controlPlane: false, internalIp: '192.0.2.31' },
];
const pods = CONTROL_PLANE_COMPONENTS.map((component) => ({ name: `${component}-master1`, node: 'master1', component, running: true }));
const manifest = dnsutilsManifest('registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3');
const healthy = { nodes, pods, dnsutilsRunning: true, error: undefined };

/**
 * verify: a fresh cluster (nodes not Ready yet, control-plane pods starting, no dnsutils pod);
 * everything up; worker1 went NotReady since (wait for it, nothing else).
 */
export const contract: StepCases = {
  step: verify,
  firstRun: { params, facts: { cluster: { ...healthy, nodes: nodes.map((n) => ({ ...n, ready: false })), pods: pods.map((p) => ({ ...p, running: false })), dnsutilsRunning: false }, manifest: undefined } },
  noop: { params, facts: { cluster: healthy, manifest } },
  drift: { params, facts: { cluster: { ...healthy, nodes: [nodes[0], { ...nodes[1], ready: false }] }, manifest } },
};
