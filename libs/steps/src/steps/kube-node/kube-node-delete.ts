import { noop, planOf } from '../../plan';
import type { Step } from '../../step';
import { kubectlWith, readNode } from './node-state';
import type { KubeNodeDeleteParams } from './params';
import { kubeNodeDeleteParams } from './params';

/** What kube.node-delete reads from the cluster. */
export interface KubeNodeDeleteFacts {
  exists: boolean;
}

/**
 * Deletes a Node object (`kubectl delete node`), the last step of kubeadm's "remove the
 * node": after `kubeadm reset` on the host, so its kubelet does not register it again.
 */
export const kubeNodeDelete: Step<KubeNodeDeleteParams, KubeNodeDeleteFacts> = {
  id: 'kube.node-delete',
  title: 'Delete a Node from the cluster',
  params: kubeNodeDeleteParams,

  async check(host, params) {
    return { exists: (await readNode(host, params.kubeconfig, params.node)).exists };
  },

  plan(facts, params) {
    if (!facts.exists) return noop(`node ${params.node} does not exist in the cluster (already deleted)`);
    return planOf([{ kind: 'run', argv: kubectlWith(params.kubeconfig, 'delete', 'node', params.node), why: `remove node ${params.node} from the cluster` }], 'unreachable');
  },
};
