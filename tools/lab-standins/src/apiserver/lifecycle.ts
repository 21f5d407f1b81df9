import type { KubeObject } from '../common/kube-object';
import { resourceForKind } from '../common/resources';
import type { ObjectStore } from './store';

/** Reads a base64 `data` entry of a Secret as text. */
export function secretString(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  const value = data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** True for a bootstrap-token Secret whose `expiration` lies in the past of the lab clock. */
export function isExpiredBootstrapToken(secret: KubeObject, now: Date): boolean {
  if (secret.type !== 'bootstrap.kubernetes.io/token') return false;
  const expiration = secretString(secret, 'expiration');
  if (!expiration) return false;
  const at = Date.parse(expiration);
  return Number.isFinite(at) && at <= now.getTime();
}

/**
 * What kube-controller-manager's token cleaner and garbage collector would have done by
 * now: expired bootstrap tokens are deleted, and so is anything whose owner is gone (the
 * kubeadm-certs Secret is owned by a 2-hour token). Returns undefined for a reaped object.
 */
export async function reap(store: ObjectStore, obj: KubeObject, now: Date): Promise<KubeObject | undefined> {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  const info = resourceForKind(obj.apiVersion ?? 'v1', obj.kind ?? '');
  if (isExpiredBootstrapToken(obj, now)) {
    await store.delete(info, ns, name).catch(() => undefined);
    return undefined;
  }
  for (const owner of obj.metadata?.ownerReferences ?? []) {
    const ownerInfo = resourceForKind(owner.apiVersion ?? 'v1', owner.kind ?? '');
    const found = await store.find(ownerInfo, ns, owner.name ?? '');
    const live = found && !isExpiredBootstrapToken(found, now) && (owner.uid === undefined || found.metadata?.uid === owner.uid);
    if (!live) {
      if (found && isExpiredBootstrapToken(found, now)) await store.delete(ownerInfo, ns, owner.name ?? '').catch(() => undefined);
      await store.delete(info, ns, name).catch(() => undefined);
      return undefined;
    }
  }
  return obj;
}
