import { statusBody, rfc3339, type KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { reconcileDeployment } from './controllers';
import { computePdbStatus, pdbsForPod } from './pdb';
import { StoreError, type ObjectStore } from './store';

const PODS = resourceByRest('', 'pods');
const PDBS = resourceByRest('policy', 'poddisruptionbudgets');
const DEPLOYMENTS = resourceByRest('apps', 'deployments');
/** eviction.go EvictionsRetry: 20 tries on a conflicting PDB write. */
const CONFLICT_RETRIES = 20;

/** An answer of the eviction subresource. */
export interface EvictionResult {
  readonly code: number;
  readonly body: unknown;
}

const SUCCESS: EvictionResult = { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };

/** errors.NewTooManyRequests with the DisruptionBudget cause (policy/v1 DisruptionBudgetCause). */
function tooManyRequests(cause: string): EvictionResult {
  const body = statusBody(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.");
  return { code: 429, body: { ...body, details: { causes: [{ reason: 'DisruptionBudget', message: cause }] } } };
}

/** Pods whose eviction needs no PDB check: terminal, Pending, or already being deleted (eviction.go canIgnorePDB). */
function canIgnorePdb(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata?.deletionTimestamp !== undefined;
}

/**
 * Deletes an evicted pod, then does what the pod's controller does next on a real cluster: a
 * Deployment's ReplicaSet creates a replacement, which a schedulable node's kubelet binds (the
 * lab's controllers run on writes, see controllers.ts). DaemonSet pods come back through their
 * node's kubelet.
 */
async function deleteEvicted(store: ObjectStore, pod: KubeObject): Promise<void> {
  const namespace = pod.metadata?.namespace;
  await store.delete(PODS, namespace, pod.metadata?.name ?? '');
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (owner?.kind !== 'Deployment' || !owner.name) return;
  const deployment = await store.find(DEPLOYMENTS, namespace, owner.name);
  if (deployment && deployment.metadata?.uid === owner.uid) await reconcileDeployment(store, deployment);
}

/**
 * POST pods/NAME/eviction (policy/v1 or v1beta1 Eviction), as k/k
 * pkg/registry/core/pod/storage/eviction.go EvictionREST.Create: a pod that can ignore PDBs is
 * deleted; else its one matching PDB must allow a disruption, which is taken by recording the
 * pod in status.disruptedPods with a conditional write (retried on conflict); no disruption left
 * is 429 TooManyRequests with a DisruptionBudget cause, which kubectl drain retries every 5 s;
 * more than one PDB is a 500. `dryRun` checks without writing.
 */
export async function evictPod(store: ObjectStore, namespace: string, name: string, eviction: KubeObject, now: Date, dryRun: boolean): Promise<EvictionResult> {
  if (eviction.kind !== 'Eviction' || !['policy/v1', 'policy/v1beta1'].includes(eviction.apiVersion ?? '')) {
    return { code: 400, body: statusBody(400, 'BadRequest', `not a Eviction object: ${eviction.apiVersion ?? ''}, Kind=${eviction.kind ?? ''}`) };
  }
  if (eviction.metadata?.name !== name) return { code: 400, body: statusBody(400, 'BadRequest', 'name in URL does not match name in Eviction object') };
  let pdbName = '';
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const pod = await store.get(PODS, namespace, name);
    if (canIgnorePdb(pod)) {
      if (!dryRun) await deleteEvicted(store, pod);
      return SUCCESS;
    }
    const pdbs = await pdbsForPod(store, pod);
    if (pdbs.length > 1) return { code: 500, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 } };
    const pdb = pdbs[0];
    if (!pdb) {
      if (!dryRun) await deleteEvicted(store, pod);
      return SUCCESS;
    }
    pdbName = pdb.metadata?.name ?? '';
    const status = await computePdbStatus(store, pdb, now);
    const ready = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    // An unready pod does not count as healthy: it goes without taking a disruption while the budget holds.
    if (!ready && status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) {
      if (!dryRun) await deleteEvicted(store, pod);
      return SUCCESS;
    }
    if (status.disruptionsAllowed === 0) return tooManyRequests(`The disruption budget ${pdbName} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`);
    if (dryRun) return SUCCESS;
    const taken = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [name]: rfc3339(now) } };
    try {
      await store.update(PDBS, namespace, pdbName, { ...pdb, status: taken });
    } catch (err) {
      if (err instanceof StoreError && err.code === 409) continue;
      throw err;
    }
    await deleteEvicted(store, pod);
    return SUCCESS;
  }
  // errors.NewTimeoutError: the budget kept changing under every retry.
  return { code: 504, body: { ...statusBody(504, 'Timeout', `Timeout: couldn't update PodDisruptionBudget "${pdbName}" due to conflicts`), details: { retryAfterSeconds: 10 } } };
}
