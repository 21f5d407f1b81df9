// pods/eviction and the PodDisruptionBudget status behind it, as tables: pods and a PDB in,
// the answer and what is left out. The store is the API server's own ObjectStore over an
// in-memory etcd with etcd's revision semantics (conditional writes conflict as on etcd).
import { describe, expect, it } from 'vitest';
import type { EtcdClient, EtcdKv } from '../src/common/etcd-client';
import type { KubeObject } from '../src/common/kube-object';
import { resourceByRest } from '../src/common/resources';
import { reconcileDeployment } from '../src/apiserver/controllers';
import { evictPod } from '../src/apiserver/eviction';
import { computePdbStatus, selectorMatches } from '../src/apiserver/pdb';
import { ObjectStore } from '../src/apiserver/store';

const PODS = resourceByRest('', 'pods');
const PDBS = resourceByRest('policy', 'poddisruptionbudgets');
const DEPLOYMENTS = resourceByRest('apps', 'deployments');
const NOW = new Date('2026-12-06T10:00:00Z');

/** etcd's KV semantics in memory: one revision counter, modRevision per key, compare-and-put. */
function memoryEtcd(): EtcdClient {
  const kvs = new Map<string, EtcdKv>();
  let revision = 0;
  return {
    get: async (key: string) => kvs.get(key),
    list: async (prefix: string) => [...kvs.values()].filter((kv) => kv.key.startsWith(prefix)).sort((a, b) => a.key.localeCompare(b.key)),
    putIf: async (key: string, value: string, modRevision: string) => {
      if ((kvs.get(key)?.modRevision ?? '0') !== modRevision) return undefined;
      revision += 1;
      kvs.set(key, { key, value, modRevision: String(revision), createRevision: kvs.get(key)?.createRevision ?? String(revision) });
      return String(revision);
    },
    delete: async (key: string) => (kvs.delete(key) ? 1 : 0),
  } as unknown as EtcdClient;
}

/**
 * A Deployment "web" whose pods the lab's ReplicaSet logic created (so they carry its template
 * hash), with the given phase and readiness, and optionally a PDB over app=web. Pods are named
 * by their place in `pods` through the returned list.
 */
async function cluster(pods: Array<{ ready?: boolean; phase?: string }>, pdbSpec?: Record<string, unknown>): Promise<{ store: ObjectStore; names: string[] }> {
  const store = new ObjectStore(memoryEtcd(), () => NOW);
  const deployment = await store.create(DEPLOYMENTS, 'default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: pods.length, template: { metadata: { labels: { app: 'web' } }, spec: {} } } });
  await reconcileDeployment(store, deployment);
  const created = await store.list(PODS, 'default');
  for (const [i, pod] of created.entries()) {
    const want = pods[i] ?? {};
    await store.update(PODS, 'default', pod.metadata?.name ?? '', { ...pod, spec: { nodeName: 'worker1' }, status: { phase: want.phase ?? 'Running', conditions: [{ type: 'Ready', status: want.ready === false ? 'False' : 'True' }] } });
  }
  if (pdbSpec) await store.create(PDBS, 'default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, ...pdbSpec } });
  return { store, names: created.map((p) => p.metadata?.name ?? '') };
}

const eviction = (name: string): KubeObject => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });

describe('PodDisruptionBudget status (the disruption controller, computed on read)', () => {
  it.each([
    { budget: { minAvailable: 2 }, pods: [{}, {}, {}], want: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 } },
    { budget: { minAvailable: 3 }, pods: [{}, {}, { ready: false }], want: { currentHealthy: 2, desiredHealthy: 3, disruptionsAllowed: 0, expectedPods: 3 } },
    { budget: { minAvailable: '50%' }, pods: [{}, {}, {}], want: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 } },
    { budget: { maxUnavailable: 1 }, pods: [{}, {}], want: { currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2 } },
    { budget: { maxUnavailable: '0%' }, pods: [{}, {}], want: { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2 } },
  ])('$budget over $pods.length pods → $want', async ({ budget, pods, want }) => {
    const { store } = await cluster(pods, budget);
    const pdb = await store.get(PDBS, 'default', 'web');
    const status = await computePdbStatus(store, pdb, NOW);
    expect(status).toMatchObject(want);
    expect(status.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: want.disruptionsAllowed > 0 ? 'True' : 'False' });
  });

  it('an empty selector matches nothing; matchExpressions follow LabelSelectorAsSelector', () => {
    expect(selectorMatches({}, { app: 'web' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, { app: 'web' })).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { app: 'web' })).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, { app: 'web' })).toBe(false);
  });
});

describe('pods/eviction', () => {
  it('without a PDB deletes the pod and the Deployment gets a replacement', async () => {
    const { store, names: [a = '', b = ''] } = await cluster([{}, {}]);
    expect(await evictPod(store, 'default', a, eviction(a), NOW, false)).toEqual({ code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } });
    const left = await store.list(PODS, 'default');
    expect(left.map((p) => p.metadata?.name)).not.toContain(a);
    expect(left.map((p) => p.metadata?.name)).toContain(b);
    expect(left.filter((p) => (p.status as { phase?: string }).phase === 'Pending')).toHaveLength(1);
  });

  it('a PDB with no disruption left answers 429 with the DisruptionBudget cause and keeps the pod', async () => {
    const { store, names } = await cluster([{}, {}], { minAvailable: 2 });
    const answer = await evictPod(store, 'default', names[0] ?? '', eviction(names[0] ?? ''), NOW, false);
    expect(answer).toEqual({
      code: 429,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] } },
    });
    expect((await store.list(PODS, 'default')).map((p) => p.metadata?.name)).toEqual(names);
  });

  it('takes one disruption per eviction: the second of two back-to-back evictions is refused', async () => {
    const { store, names: [a = '', b = ''] } = await cluster([{}, {}, {}], { maxUnavailable: 1 });
    const [first, second] = await Promise.all([evictPod(store, 'default', a, eviction(a), NOW, false), evictPod(store, 'default', b, eviction(b), NOW, false)]);
    expect([first?.code, second?.code].sort()).toEqual([201, 429]);
  });

  it('pods that can ignore the budget (Pending, unready while the budget holds) go at once; dry run deletes nothing', async () => {
    const { store, names: [a = '', , p = '', u = ''] } = await cluster([{}, {}, { phase: 'Pending' }, { ready: false }], { minAvailable: 2 });
    expect((await evictPod(store, 'default', a, eviction(a), NOW, true)).code).toBe(201);
    expect((await evictPod(store, 'default', p, eviction(p), NOW, false)).code).toBe(201);
    expect((await evictPod(store, 'default', u, eviction(u), NOW, false)).code).toBe(201);
    const left = (await store.list(PODS, 'default')).map((pod) => pod.metadata?.name);
    expect(left).toContain(a);
    expect(left).not.toContain(p);
    expect(left).not.toContain(u);
  });

  it('refuses a body that is not this pod\'s Eviction, and a pod under two PDBs', async () => {
    const { store, names: [a = ''] } = await cluster([{}], { minAvailable: 0 });
    expect(await evictPod(store, 'default', a, eviction('b'), NOW, false)).toMatchObject({ code: 400, body: { message: 'name in URL does not match name in Eviction object' } });
    expect(await evictPod(store, 'default', a, { apiVersion: 'v1', kind: 'Pod', metadata: { name: a } }, NOW, false)).toMatchObject({ code: 400 });
    await store.create(PDBS, 'default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'other' }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 0 } });
    expect(await evictPod(store, 'default', a, eviction(a), NOW, false)).toMatchObject({ code: 500, body: { message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' } });
  });
});
