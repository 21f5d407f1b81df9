import crypto from 'node:crypto';
import fs from 'node:fs';
import { detachedJws } from '../common/bootstrap-token';
import { rfc3339, type KubeCondition, type KubeObject } from '../common/kube-object';
import { loadKey, signClientCsr } from '../common/pki';
import { resourceByRest } from '../common/resources';
import { isExpiredBootstrapToken, secretString } from './lifecycle';
import type { ObjectStore } from './store';

const SECRETS = resourceByRest('', 'secrets');
const PODS = resourceByRest('', 'pods');

/** A node whose kubelet has not posted status for this long is "Unknown" (node-monitor-grace-period). */
export const NODE_GRACE_MS = 40_000;

/**
 * The bootstrap signer: cluster-info carries one `jws-kubeconfig-<id>` entry per live token
 * that may sign, computed at read time so expired or deleted tokens vanish at once.
 */
export async function signClusterInfo(store: ObjectStore, clusterInfo: KubeObject, now: Date): Promise<KubeObject> {
  const data = { ...((clusterInfo.data ?? {}) as Record<string, string>) };
  for (const key of Object.keys(data)) if (key.startsWith('jws-kubeconfig-')) delete data[key];
  const kubeconfig = data.kubeconfig ?? '';
  for (const secret of await store.list(SECRETS, 'kube-system')) {
    if (secret.type !== 'bootstrap.kubernetes.io/token' || isExpiredBootstrapToken(secret, now)) continue;
    if (secretString(secret, 'usage-bootstrap-signing') !== 'true') continue;
    const id = secretString(secret, 'token-id');
    const tokenSecret = secretString(secret, 'token-secret');
    if (id && tokenSecret) data[`jws-kubeconfig-${id}`] = detachedJws(kubeconfig, { id, secret: tokenSecret });
  }
  return { ...clusterInfo, data };
}

/** The node lifecycle controller's view: a silent kubelet turns Ready into Unknown. */
export function withNodeLiveness(node: KubeObject, now: Date): KubeObject {
  const status = (node.status ?? {}) as { conditions?: KubeCondition[] };
  const conditions = status.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready?.lastHeartbeatTime) return node;
  if (now.getTime() - Date.parse(ready.lastHeartbeatTime) <= NODE_GRACE_MS) return node;
  const stale: KubeCondition = { ...ready, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
  return { ...node, status: { ...status, conditions: conditions.map((c) => (c.type === 'Ready' ? stale : c)) } };
}

/** Reconciles in flight, by Deployment uid: one at a time each, as the ReplicaSet controller's work queue never syncs a key twice at once. */
const reconciling = new Map<string, Promise<void>>();

/**
 * The Deployment + ReplicaSet controllers in one: keeps `replicas` pods of the current
 * template, replacing pods of an older one. Runs after the previous reconcile of the same
 * Deployment: concurrent evictions (kubectl drain evicts in parallel) each listing the pods
 * before the other's replacement exists would otherwise create one pod too many each
 * (client-go util/workqueue: a key being processed is not handed out again).
 */
export function reconcileDeployment(store: ObjectStore, deployment: KubeObject): Promise<void> {
  const key = deployment.metadata?.uid ?? `${deployment.metadata?.namespace}/${deployment.metadata?.name}`;
  const next = (reconciling.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => reconcileOnce(store, deployment));
  reconciling.set(key, next);
  void next.finally(() => {
    if (reconciling.get(key) === next) reconciling.delete(key);
  }).catch(() => undefined);
  return next;
}

async function reconcileOnce(store: ObjectStore, deployment: KubeObject): Promise<void> {
  const ns = deployment.metadata?.namespace ?? 'default';
  const name = deployment.metadata?.name ?? '';
  const uid = deployment.metadata?.uid;
  const spec = (deployment.spec ?? {}) as { replicas?: number; template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } };
  const wanted = spec.replicas ?? 1;
  const hash = crypto.createHash('sha256').update(JSON.stringify(spec.template ?? {})).digest('hex').slice(0, 10);
  const all = (await store.list(PODS, ns)).filter((p) => p.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.uid === uid));
  // A changed template (e.g. `kubectl rollout restart`) replaces every pod of the old one.
  for (const pod of all.filter((p) => p.metadata?.labels?.['pod-template-hash'] !== hash)) await store.delete(PODS, ns, pod.metadata?.name ?? '').catch(() => undefined);
  const owned = all.filter((p) => p.metadata?.labels?.['pod-template-hash'] === hash);
  for (const pod of owned.slice(wanted)) await store.delete(PODS, ns, pod.metadata?.name ?? '').catch(() => undefined);
  for (let i = owned.length; i < wanted; i++) {
    await store.create(PODS, ns, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${name}-${hash}-`,
        namespace: ns,
        labels: { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid, controller: true }],
      },
      spec: spec.template?.spec ?? {},
      status: { phase: 'Pending' },
    });
  }
}

/** Deletes the pods of a deleted Deployment, or bound to a deleted node (pod GC). */
export async function deletePodsWhere(store: ObjectStore, match: (pod: KubeObject) => boolean): Promise<void> {
  for (const pod of await store.list(PODS)) {
    if (match(pod)) await store.delete(PODS, pod.metadata?.namespace, pod.metadata?.name ?? '').catch(() => undefined);
  }
}

/** Files of the cluster signing CA (kube-controller-manager's --cluster-signing-*-file). */
export interface SigningCa {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * The CSR approver and signer for kubelet client certificates: a request for
 * "system:node:<name>" in group "system:nodes" is approved and signed at once.
 */
export async function approveAndSignCsr(csr: KubeObject, ca: SigningCa, now: Date): Promise<KubeObject> {
  const spec = (csr.spec ?? {}) as { request?: string; signerName?: string };
  if (spec.signerName !== 'kubernetes.io/kube-apiserver-client-kubelet' || !spec.request) return csr;
  const requestPem = Buffer.from(spec.request, 'base64').toString('utf8');
  const caCert = fs.readFileSync(ca.certFile, 'utf8');
  const caKey = await loadKey(fs.readFileSync(ca.keyFile, 'utf8'));
  const certificate = await signClientCsr({ certPem: caCert, key: caKey }, requestPem, now);
  const at = rfc3339(now);
  return {
    ...csr,
    status: {
      conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.', lastUpdateTime: at }],
      certificate: Buffer.from(certificate).toString('base64'),
    },
  };
}
