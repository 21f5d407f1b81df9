import type { StepCases } from '../../contract/step-contract';
import { kubeUncordon } from './kube-uncordon';

const params = { node: 'worker2' };

/** kube.uncordon: a cordoned node; schedulable; cordoned again (a drain that failed half way was rerun). */
export const contract: StepCases = {
  step: kubeUncordon,
  firstRun: { params, facts: { unschedulable: true } },
  noop: { params, facts: { unschedulable: false } },
  drift: { params, facts: { unschedulable: true } },
};
