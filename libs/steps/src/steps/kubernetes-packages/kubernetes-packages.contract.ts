import type { StepCases } from '../../contract/step-contract';
import { kubernetesPackages } from './kubernetes-packages';
import { aptSource } from './repository';

const params = { kubernetesVersion: '1.33.2' };
const done = {
  packages: 'apt',
  keyPresent: true,
  curl: true,
  source: aptSource('https://pkgs.k8s.io/core:/stable:/v1.33/deb/'),
  versions: { kubelet: '1.33.2-1.1', kubeadm: '1.33.2-1.1', kubectl: '1.33.2-1.1', 'cri-tools': '1.33.0-1.1' },
  held: ['kubeadm', 'kubectl', 'kubelet'],
  kubeletEnabled: true,
  selinux: undefined,
  selinuxConfig: undefined,
  missingImages: [],
  pulledMarker: true,
};

/**
 * kubernetes.packages (Debian): no key, source or packages (cri-tools too: kubeadm 1.32+ does
 * not bring it); all installed, held, kubelet
 * enabled, images pulled; the holds released and the kubelet disabled by hand since.
 */
export const contract: StepCases = {
  step: kubernetesPackages,
  firstRun: { params, facts: { ...done, keyPresent: false, source: undefined, versions: { kubelet: undefined, kubeadm: undefined, kubectl: undefined, 'cri-tools': undefined }, held: [], kubeletEnabled: false, missingImages: undefined, pulledMarker: false } },
  noop: { params, facts: done },
  drift: { params, facts: { ...done, held: [], kubeletEnabled: false } },
};
