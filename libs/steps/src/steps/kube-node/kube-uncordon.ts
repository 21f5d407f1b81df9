import { StepFailure } from '../../run-types';
import { noop, planOf } from '../../plan';
import type { Step } from '../../step';
import { kubectlWith, readNode } from './node-state';
import type { KubeUncordonParams } from './params';
import { kubeUncordonParams } from './params';

/** What kube.uncordon reads from the cluster. */
export interface KubeUncordonFacts {
  unschedulable: boolean;
}

/** Marks a node schedulable again (`kubectl uncordon`), e.g. after an upgrade drained it. */
export const kubeUncordon: Step<KubeUncordonParams, KubeUncordonFacts> = {
  id: 'kube.uncordon',
  title: 'Make a node schedulable again',
  params: kubeUncordonParams,

  async check(host, params) {
    const node = await readNode(host, params.kubeconfig, params.node);
    if (!node.exists) {
      throw new StepFailure('CHECK_FAILED', `node ${params.node} does not exist in the cluster, so it cannot be uncordoned. Fix: join the host first (kumi up), or drop it from the plan.`);
    }
    return { unschedulable: node.unschedulable };
  },

  plan(facts, params) {
    if (!facts.unschedulable) return noop(`node ${params.node} is already schedulable`);
    return planOf([{ kind: 'run', argv: kubectlWith(params.kubeconfig, 'uncordon', params.node), why: `let pods be scheduled on ${params.node} again` }], 'unreachable');
  },
};
