import { readyCondition, rfc3339, type KubeObject } from '../common/kube-object';
import { resourceByRest, resourceForKind } from '../common/resources';
import type { ObjectStore } from './store';

const PODS = resourceByRest('', 'pods');
/** How long an eviction's entry in status.disruptedPods counts (disruption.go DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60_000;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface PdbSpec {
  selector?: LabelSelector;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

/** The status fields of a policy/v1 PodDisruptionBudget. */
export interface PdbStatus {
  observedGeneration: number;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptedPods?: Record<string, string>;
  conditions: { type: string; status: string; reason: string; message: string; observedGeneration: number; lastTransitionTime: string }[];
}

/**
 * metav1.LabelSelectorAsSelector + Matches; a nil or empty selector matches nothing for a PDB
 * (eviction.go getPodDisruptionBudgets, disruption.go getPodsForPdb).
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const terms = Object.keys(selector?.matchLabels ?? {}).length + (selector?.matchExpressions ?? []).length;
  if (!selector || terms === 0) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const has = expr.key in labels;
    const value = labels[expr.key];
    const values = expr.values ?? [];
    if (expr.operator === 'In' && !(has && values.includes(value ?? ''))) return false;
    if (expr.operator === 'NotIn' && has && values.includes(value ?? '')) return false;
    if (expr.operator === 'Exists' && !has) return false;
    if (expr.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** An IntOrString budget against a count: percentages round up (intstr.GetScaledValueFromIntOrPercent, roundUp=true). */
function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.ceil((Number(percent[1]) * total) / 100) : Number(value);
}

/** The PDBs of a namespace whose selector matches a pod. */
export async function pdbsForPod(store: ObjectStore, pod: KubeObject): Promise<KubeObject[]> {
  const pdbs = await store.list(resourceByRest('policy', 'poddisruptionbudgets'), pod.metadata?.namespace);
  return pdbs.filter((pdb) => selectorMatches((pdb.spec as PdbSpec | undefined)?.selector, pod.metadata?.labels ?? {}));
}

/** The scale of the controllers owning the pods (disruption.go getExpectedScale: finders for ReplicaSet, Deployment, StatefulSet, RC). */
async function expectedScale(store: ObjectStore, pods: KubeObject[]): Promise<number | undefined> {
  const controllers = new Map<string, number>();
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (!owner?.uid || controllers.has(owner.uid)) continue;
    if (!['ReplicaSet', 'Deployment', 'StatefulSet', 'ReplicationController'].includes(owner.kind ?? '')) return undefined;
    const found = await store.find(resourceForKind(owner.apiVersion ?? 'apps/v1', owner.kind ?? ''), pod.metadata?.namespace, owner.name ?? '');
    if (!found) return undefined;
    controllers.set(owner.uid, (found.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  }
  return [...controllers.values()].reduce((a, b) => a + b, 0);
}

/**
 * The disruption controller's view of a PDB (k/k pkg/controller/disruption/disruption.go
 * trySync/getExpectedPodCount/countHealthyPods/updatePdbStatus), computed from the pods now,
 * since the lab runs no controller loop: healthy = Ready pods not being deleted and not in
 * disruptedPods within the 2-minute DeletionTimeout; disruptionsAllowed = healthy - desired.
 */
export async function computePdbStatus(store: ObjectStore, pdb: KubeObject, now: Date): Promise<PdbStatus> {
  const spec = (pdb.spec ?? {}) as PdbSpec;
  const previous = (pdb.status ?? {}) as Partial<PdbStatus>;
  const pods = (await store.list(PODS, pdb.metadata?.namespace)).filter((p) => selectorMatches(spec.selector, p.metadata?.labels ?? {}));
  let expectedPods = pods.length;
  let desiredHealthy = 0;
  let failure: string | undefined;
  if (spec.maxUnavailable !== undefined) {
    const scale = await expectedScale(store, pods);
    if (scale === undefined) failure = 'pods of this PDB have no scalable controller, so maxUnavailable cannot be computed';
    else {
      expectedPods = scale;
      desiredHealthy = Math.max(0, scale - scaled(spec.maxUnavailable, scale));
    }
  } else if (typeof spec.minAvailable === 'string' && spec.minAvailable.endsWith('%')) {
    const scale = await expectedScale(store, pods);
    if (scale === undefined) failure = 'pods of this PDB have no scalable controller, so a percentage minAvailable cannot be computed';
    else {
      expectedPods = scale;
      desiredHealthy = scaled(spec.minAvailable, scale);
    }
  } else if (spec.minAvailable !== undefined) {
    desiredHealthy = scaled(spec.minAvailable, pods.length);
  }
  const disrupted: Record<string, string> = {};
  for (const [name, at] of Object.entries(previous.disruptedPods ?? {})) {
    const pod = pods.find((p) => p.metadata?.name === name);
    if (pod && !pod.metadata?.deletionTimestamp && now.getTime() - Date.parse(at) < DELETION_TIMEOUT_MS) disrupted[name] = at;
  }
  const currentHealthy = pods.filter((p) => !p.metadata?.deletionTimestamp && !((p.metadata?.name ?? '') in disrupted) && readyCondition(p)?.status === 'True').length;
  const disruptionsAllowed = failure ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const generation = Number(pdb.metadata?.generation ?? 0);
  const allowed = disruptionsAllowed > 0;
  const reason = failure ? 'SyncFailed' : allowed ? 'SufficientPods' : 'InsufficientPods';
  const before = previous.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const since = before && before.status === (allowed ? 'True' : 'False') ? before.lastTransitionTime : rfc3339(now);
  return {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: [{ type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason, message: failure ?? '', observedGeneration: generation, lastTransitionTime: since }],
  };
}

/** A PDB as it reads back: its status as the disruption controller would have written it by now. */
export async function withPdbStatus(store: ObjectStore, pdb: KubeObject, now: Date): Promise<KubeObject> {
  return { ...pdb, status: await computePdbStatus(store, pdb, now) };
}
