import { boolFlag } from '../common/flags';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { KubeApiError } from '../common/kube-api';
import { KubectlError, type KubectlContext } from './context';

const NODES = resourceByRest('', 'nodes');
const PODS = resourceByRest('', 'pods');

async function setUnschedulable(ctx: KubectlContext, name: string, value: boolean): Promise<void> {
  try {
    await ctx.api.patch(NODES, undefined, name, { spec: { unschedulable: value ? true : null } });
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) throw new KubectlError(`Error from server (NotFound): nodes "${name}" not found`, 1, true);
    throw err;
  }
}

/** `kubectl cordon|uncordon NODE`. */
export async function runCordon(ctx: KubectlContext, name: string | undefined, cordon: boolean): Promise<void> {
  if (!name) throw new KubectlError('USAGE: cordon NODE');
  await setUnschedulable(ctx, name, cordon);
  ctx.out(`node/${name} ${cordon ? 'cordoned' : 'uncordoned'}\n`);
}

const ownerKind = (pod: KubeObject): string | undefined => pod.metadata?.ownerReferences?.find((o) => o.controller)?.kind;
const isMirror = (pod: KubeObject): boolean => pod.metadata?.annotations?.['kubernetes.io/config.source'] === 'file';

/** `kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]`: cordon, then evict. */
export async function runDrain(ctx: KubectlContext, name: string | undefined): Promise<void> {
  if (!name) throw new KubectlError('USAGE: drain NODE [Options]');
  await setUnschedulable(ctx, name, true);
  ctx.out(`node/${name} cordoned\n`);
  const pods = (await ctx.api.list(PODS, undefined, `?fieldSelector=spec.nodeName%3D${encodeURIComponent(name)}`)).filter((p) => !isMirror(p));
  const daemonSetPods = pods.filter((p) => ownerKind(p) === 'DaemonSet');
  const unmanaged = pods.filter((p) => ownerKind(p) === undefined);
  if (daemonSetPods.length > 0 && !boolFlag(ctx.args, 'ignore-daemonsets')) {
    throw new KubectlError(`unable to drain node "${name}" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemonSetPods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ')}, continuing command...`);
  }
  if (unmanaged.length > 0 && !boolFlag(ctx.args, 'force')) {
    throw new KubectlError(`unable to drain node "${name}" due to error: cannot delete Pods that declare no controller (use --force to override): ${unmanaged.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ')}, continuing command...`);
  }
  if (daemonSetPods.length > 0) ctx.err(`Warning: ignoring DaemonSet-managed Pods: ${daemonSetPods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(', ')}\n`);
  for (const pod of pods.filter((p) => ownerKind(p) !== 'DaemonSet')) {
    ctx.out(`evicting pod ${pod.metadata?.namespace}/${pod.metadata?.name}\n`);
    await ctx.api.delete(PODS, pod.metadata?.namespace, pod.metadata?.name ?? '');
    if (ownerKind(pod) === 'Deployment') await recreateForOwner(ctx, pod);
    ctx.out(`pod/${pod.metadata?.name} evicted\n`);
  }
  ctx.out(`node/${name} drained\n`);
}

/** An evicted Deployment pod is replaced (the ReplicaSet controller's job): touch the Deployment so the API server reconciles it. */
async function recreateForOwner(ctx: KubectlContext, pod: KubeObject): Promise<void> {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (!owner?.name) return;
  const deployments = resourceByRest('apps', 'deployments');
  await ctx.api.patch(deployments, pod.metadata?.namespace, owner.name, { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } }).catch(() => undefined);
}
