import type { StepCases } from '../../contract/step-contract';
import { kubeDrain } from './kube-drain';

const params = { node: 'worker2' };

/** kube.drain: a schedulable node running pods (one of them kumi's dnsutils, deleted first); cordoned and empty; uncordoned by hand since (drained, i.e. cordoned, again). */
export const contract: StepCases = {
  step: kubeDrain,
  firstRun: { params, facts: { exists: true, unschedulable: false, evictable: ['default/web-1', 'default/kumi-dnsutils'], kumiPods: ['default/kumi-dnsutils'] } },
  noop: { params, facts: { exists: true, unschedulable: true, evictable: [], kumiPods: [] } },
  drift: { params, facts: { exists: true, unschedulable: false, evictable: [], kumiPods: [] } },
};
