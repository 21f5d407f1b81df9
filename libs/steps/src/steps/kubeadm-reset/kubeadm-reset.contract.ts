import type { StepCases } from '../../contract/step-contract';
import { kubeadmReset } from './kubeadm-reset';

const clean = {
  kubeadmInstalled: true,
  kubeadmState: false,
  cniFiles: [],
  flannelSubnetEnv: false,
  links: [],
  iptables: [],
  savedRules: [],
  nftRules: [],
  nftInclude: undefined,
  firewalld: { zone: 'public', ports: [], richRules: [], trustedInterfaces: [], trustedSources: [] },
  firewalldRecord: false,
  kubeconfig: false,
};

/**
 * kubeadm.reset: a used control plane (kubeadm state, flannel's links and lease, CNI config,
 * rules, kumi's firewalld additions, root's kubeconfig); a clean host; a reset host on which
 * flannel.1 came back since (only that link is deleted).
 */
export const contract: StepCases = {
  step: kubeadmReset,
  firstRun: {
    params: {},
    facts: {
      ...clean,
      kubeadmState: true,
      cniFiles: ['/etc/cni/net.d/10-flannel.conflist'],
      flannelSubnetEnv: true,
      links: ['cni0', 'flannel.1'],
      iptables: [['iptables', '-w', '-t', 'nat', '-F', 'KUBE-SERVICES']],
      firewalld: { zone: 'public', ports: ['6443/tcp', '8472/udp'], richRules: [], trustedInterfaces: ['cni0', 'flannel.1'], trustedSources: ['10.244.0.0/16'] },
      firewalldRecord: true,
      kubeconfig: true,
    },
  },
  noop: { params: {}, facts: clean },
  drift: { params: {}, facts: { ...clean, links: ['flannel.1'] } },
};
