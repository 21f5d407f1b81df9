import { noop, planOf } from '../../plan';
import type { Step } from '../../step';
import { evictablePods, kubectlWith, kumiBarePods, readNode, readNodePods } from './node-state';
import type { KubeDrainParams } from './params';
import { kubeDrainParams } from './params';

/** What kube.drain reads from the cluster. */
export interface KubeDrainFacts {
  exists: boolean;
  unschedulable: boolean;
  /** "namespace/name" of the pods kubectl drain would still evict or delete. */
  evictable: string[];
  /** Of those, kumi's own bare probe pods, deleted by kumi before the drain (see kumiBarePods). */
  kumiPods: string[];
}

/**
 * Cordons a node and evicts its pods with the real `kubectl drain`, which goes through the
 * eviction API: a PodDisruptionBudget that forbids an eviction makes kubectl retry until
 * --timeout, so the wait is bounded and the budget respected. Runs where the kubeconfig
 * is (a control plane's admin.conf by default), not on the node being drained.
 */
export const kubeDrain: Step<KubeDrainParams, KubeDrainFacts> = {
  id: 'kube.drain',
  title: 'Cordon a node and evict its pods',
  params: kubeDrainParams,

  async check(host, params) {
    const node = await readNode(host, params.kubeconfig, params.node);
    if (!node.exists) return { exists: false, unschedulable: false, evictable: [], kumiPods: [] };
    const pods = await readNodePods(host, params.kubeconfig, params.node);
    return { exists: true, unschedulable: node.unschedulable, evictable: evictablePods(pods, params.ignoreDaemonSets), kumiPods: kumiBarePods(pods) };
  },

  plan(facts, params) {
    if (!facts.exists) return noop(`node ${params.node} does not exist in the cluster (already removed): nothing to drain`);
    if (facts.unschedulable && facts.evictable.length === 0) return noop(`node ${params.node} is cordoned and runs no pod that drain would evict`);
    const ownPods = facts.kumiPods.map((name) => {
      const [namespace = 'default', pod = name] = name.split('/');
      return { kind: 'run' as const, argv: kubectlWith(params.kubeconfig, '-n', namespace, 'delete', 'pod', pod, '--ignore-not-found', '--wait=true'), why: `${name} is kumi's own probe pod without a controller: drain would refuse the node for it without --force (verify creates it again)` };
    });
    const argv = kubectlWith(params.kubeconfig, 'drain', params.node);
    if (params.ignoreDaemonSets) argv.push('--ignore-daemonsets');
    if (params.deleteEmptyDirData) argv.push('--delete-emptydir-data');
    if (params.force) argv.push('--force');
    argv.push(`--timeout=${params.timeout}`);
    // The pods to evict stay out of `why`: the line is the same whatever runs on the node.
    return planOf([...ownPods, { kind: 'run', argv, why: `drain node ${params.node}: cordon it, then evict its pods (PodDisruptionBudgets respected, up to ${params.timeout})` }], 'unreachable');
  },
};
