import type { StepCases } from '../../contract/step-contract';
import { kubeNodeDelete } from './kube-node-delete';

const params = { node: 'worker2' };

/** kube.node-delete: the Node exists; gone; registered again by its kubelet before kubeadm reset stopped it (deleted again). */
export const contract: StepCases = {
  step: kubeNodeDelete,
  firstRun: { params, facts: { exists: true } },
  noop: { params, facts: { exists: false } },
  drift: { params, facts: { exists: true } },
};
