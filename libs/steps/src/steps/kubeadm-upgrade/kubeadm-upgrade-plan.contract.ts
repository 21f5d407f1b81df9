import type { StepCases } from '../../contract/step-contract';
import { kubeadmUpgradePlan } from './kubeadm-upgrade-plan';

const params = { version: '1.33.2' };

/** Contract rows of kubeadm.upgrade-plan. */
export const contract: StepCases = {
  step: kubeadmUpgradePlan,
  firstRun: { params, facts: { clusterVersion: '1.32.2', kubeadmVersion: '1.33.2' } },
  noop: { params, facts: { clusterVersion: '1.33.2', kubeadmVersion: '1.33.2' } },
  // The cluster was rolled back to an older patch since: the gate asks kubeadm again.
  drift: { params, facts: { clusterVersion: '1.32.2', kubeadmVersion: '1.33.2' } },
};
