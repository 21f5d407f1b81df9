import type { StepCases } from '../../contract/step-contract';
import { kubeDrain } from './kube-drain';
import { kubeNodeDelete } from './kube-node-delete';
import { kubeUncordon } from './kube-uncordon';

const node = { node: 'worker2' };

/** Contract rows of kube.drain, kube.uncordon and kube.node-delete (facts in, plan out). */
export const KUBE_NODE_CASES: Readonly<Record<string, StepCases>> = {
  'kube.drain': {
    step: kubeDrain,
    firstRun: { params: node, facts: { exists: true, unschedulable: false, evictable: ['default/web-1', 'default/web-2'] } },
    noop: { params: node, facts: { exists: true, unschedulable: true, evictable: [] } },
    // Someone uncordoned the drained node by hand: drain (cordon) it again.
    drift: { params: node, facts: { exists: true, unschedulable: false, evictable: [] } },
  },
  'kube.uncordon': {
    step: kubeUncordon,
    firstRun: { params: node, facts: { unschedulable: true } },
    noop: { params: node, facts: { unschedulable: false } },
    // Cordoned again (e.g. a drain that failed half way was rerun): uncordon again.
    drift: { params: node, facts: { unschedulable: true } },
  },
  'kube.node-delete': {
    step: kubeNodeDelete,
    firstRun: { params: node, facts: { exists: true } },
    noop: { params: node, facts: { exists: false } },
    // The kubelet registered the Node again before kubeadm reset stopped it: delete again.
    drift: { params: node, facts: { exists: true } },
  },
};
