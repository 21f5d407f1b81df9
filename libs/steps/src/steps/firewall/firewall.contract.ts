import type { StepCases } from '../../contract/step-contract';
import { firewall } from './firewall';

const params = { roles: ['control-plane'] };
const empty = { ports: ['22/tcp'], richRules: [], trustedInterfaces: [], trustedSources: [] };
const opened = {
  ports: ['22/tcp', '6443/tcp', '2379-2380/tcp', '10250/tcp', '10257/tcp', '10259/tcp', '8472/udp'],
  richRules: [],
  trustedInterfaces: ['cni0', 'flannel.1'],
  trustedSources: ['10.244.0.0/16', '10.96.0.0/12'],
};
const lost = { ...opened, ports: opened.ports.filter((port) => port !== '10250/tcp') };

/**
 * firewall (firewalld, control plane): only ssh open; the role's ports and the trusted pod
 * network, permanent and running; the kubelet port removed from the running firewall by hand
 * (the permanent configuration still has it: a reload brings it back).
 */
export const contract: StepCases = {
  step: firewall,
  firstRun: { params, facts: { backend: 'firewalld', zone: 'public', permanent: empty, runtime: empty, record: undefined } },
  noop: { params, facts: { backend: 'firewalld', zone: 'public', permanent: opened, runtime: opened, record: undefined } },
  drift: { params, facts: { backend: 'firewalld', zone: 'public', permanent: opened, runtime: lost, record: undefined } },
};
