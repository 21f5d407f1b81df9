import type { StepCases } from '../../contract/step-contract';
import { kubeadmClusterVersion } from './kubeadm-cluster-version';

/** kubeadm.cluster-version only reads: the version it found is in the reason (an upgraded cluster reads differently). */
export const contract: StepCases = {
  step: kubeadmClusterVersion,
  readOnly: true,
  firstRun: { params: {}, facts: { kubernetesVersion: '1.32.2' } },
  noop: { params: {}, facts: { kubernetesVersion: '1.32.2' } },
  drift: { params: {}, facts: { kubernetesVersion: '1.33.2' } },
};
