import type { StepCases } from '../../contract/step-contract';
import { kubeadmUpgradeApply } from './kubeadm-upgrade-apply';

const params = { version: '1.33.2' };

/** Contract rows of kubeadm.upgrade-apply. */
export const contract: StepCases = {
  step: kubeadmUpgradeApply,
  firstRun: { params, facts: { clusterVersion: '1.32.2', kubeadmVersion: '1.33.2' } },
  noop: { params, facts: { clusterVersion: '1.33.2', kubeadmVersion: '1.33.2' } },
  // kubeadm-config was put back at the old version (e.g. an etcd restore): apply again.
  drift: { params, facts: { clusterVersion: '1.32.2', kubeadmVersion: '1.33.2' } },
};
