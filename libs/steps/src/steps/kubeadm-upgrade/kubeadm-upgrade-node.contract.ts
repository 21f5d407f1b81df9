import type { StepCases } from '../../contract/step-contract';
import { kubeadmUpgradeNode } from './kubeadm-upgrade-node';

const params = { version: '1.33.2' };
const apiserver = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const scheduler = '/etc/kubernetes/manifests/kube-scheduler.yaml';

/** Contract rows of kubeadm.upgrade-node. */
export const contract: StepCases = {
  step: kubeadmUpgradeNode,
  firstRun: { params, facts: { manifests: { [apiserver]: '1.32.2', [scheduler]: '1.32.2' }, kubeletConfigCurrent: false } },
  noop: { params, facts: { manifests: { [apiserver]: '1.33.2', [scheduler]: '1.33.2' }, kubeletConfigCurrent: true } },
  // Someone put the old scheduler manifest back: kubeadm upgrade node again.
  drift: { params, facts: { manifests: { [apiserver]: '1.33.2', [scheduler]: '1.32.2' }, kubeletConfigCurrent: true } },
};
