import type { KubeObject } from '../common/kube-object';

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** The node's taints. */
export function nodeTaints(node: KubeObject): Taint[] {
  return ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []);
}

function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return toleration.key === undefined || toleration.key === '' || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** True when a pod spec tolerates every NoSchedule/NoExecute taint of the node (the scheduler's TaintToleration filter). */
export function toleratesNode(podSpec: unknown, node: KubeObject): boolean {
  const tolerations = ((podSpec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? []);
  return nodeTaints(node)
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .every((taint) => tolerations.some((t) => tolerates(t, taint)));
}

/** The controller (Deployment, DaemonSet...) uid that owns a pod, if any. */
export function ownerUid(pod: KubeObject): string | undefined {
  return pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
}
