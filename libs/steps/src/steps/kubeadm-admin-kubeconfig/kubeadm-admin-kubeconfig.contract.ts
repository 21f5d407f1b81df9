import type { StepCases } from '../../contract/step-contract';
import { Secret } from '../../secret';
import { kubeadmAdminKubeconfig } from './kubeadm-admin-kubeconfig';

const admin = new Secret('apiVersion: v1\nclusters:\n- cluster:\n    server: https://192.0.2.100:6443\n');

/** kubeadm.admin-kubeconfig: root has no kubeconfig; root's equals admin.conf; root's was edited since. */
export const contract: StepCases = {
  step: kubeadmAdminKubeconfig,
  firstRun: { params: {}, facts: { admin, current: undefined } },
  noop: { params: {}, facts: { admin, current: new Secret(admin.reveal()) } },
  drift: { params: {}, facts: { admin, current: new Secret('apiVersion: v1\nclusters: []\n') } },
};
