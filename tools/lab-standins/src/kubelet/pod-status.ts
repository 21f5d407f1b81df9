import crypto from 'node:crypto';
import { rfc3339, type KubeCondition, type KubeObject } from '../common/kube-object';

/**
 * The pod status the kubelet posts (pkg/kubelet/kubelet_pods.go generateAPIPodStatus +
 * status/generate.go): the Initialized, Ready, ContainersReady and PodScheduled conditions
 * and one containerStatus per container, running and ready once the pod runs, else waiting
 * in ContainerCreating. `kubectl get pods` prints READY and STATUS from these
 * (printers.go printPod), so a running pod reads "1/1 Running" as on a real node.
 */
export function kubeletPodStatus(pod: KubeObject, runs: boolean, now: Date, extra: { hostIP: string; podIP?: string }): Record<string, unknown> {
  const at = rfc3339(now);
  const status = (pod.status ?? {}) as { conditions?: KubeCondition[]; startTime?: string; containerStatuses?: { name?: string; containerID?: string; state?: { running?: { startedAt?: string } } }[] };
  const previous = new Map((status.containerStatuses ?? []).map((c) => [c.name, c]));
  const containers = ((pod.spec as { containers?: { name?: string; image?: string }[] } | undefined)?.containers ?? []);
  const condition = (type: string, ok: boolean): KubeCondition => {
    const before = (status.conditions ?? []).find((c) => c.type === type);
    const value = ok ? 'True' : 'False';
    return { type, status: value, lastTransitionTime: before?.status === value && before.lastTransitionTime ? before.lastTransitionTime : at };
  };
  return {
    ...status,
    phase: runs ? 'Running' : 'Pending',
    hostIP: extra.hostIP,
    hostIPs: [{ ip: extra.hostIP }],
    podIP: extra.podIP,
    podIPs: extra.podIP ? [{ ip: extra.podIP }] : undefined,
    startTime: status.startTime ?? at,
    conditions: [condition('Initialized', true), condition('Ready', runs), condition('ContainersReady', runs), condition('PodScheduled', true)],
    containerStatuses: containers.map((c) => {
      const before = previous.get(c.name);
      const id = before?.containerID ?? `containerd://${crypto.randomBytes(32).toString('hex')}`;
      const state = runs ? { running: { startedAt: before?.state?.running?.startedAt ?? at } } : { waiting: { reason: 'ContainerCreating' } };
      return { name: c.name, image: c.image, imageID: '', containerID: runs ? id : undefined, ready: runs, started: runs, restartCount: 0, state };
    }),
  };
}
