import { StoreError } from './store';

/**
 * Strategic merge patch (Content-Type application/strategic-merge-patch+json) for the
 * built-in kinds, as k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
 * (StrategicMergePatch → mergeMap / mergeSlice) applies it: maps merge as in a JSON merge
 * patch (null deletes), lists whose Go field carries `patchStrategy:"merge"` merge element by
 * their `patchMergeKey`, other lists are replaced. Directives: `$patch: replace|delete|merge`
 * (in maps and list elements), `$setElementOrder/FIELD`, `$retainKeys`,
 * `$deleteFromPrimitiveList/FIELD`. The merge keys are those of k8s.io/api's struct tags
 * for the fields kubectl apply and rollout restart touch (core/v1 types.go: PodSpec,
 * Container, ObjectMeta, NodeStatus, PodStatus; apps/v1 via PodTemplateSpec).
 */

type Json = unknown;
type JsonMap = Record<string, Json>;

/** The patchMergeKey of a list field given the path of keys leading to it, or undefined (atomic: replace). */
export function mergeKeyFor(path: readonly string[]): string | undefined {
  const field = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ownerReferences':
      return 'uid';
    case 'ports':
      // Container.Ports merges on containerPort; ServiceSpec.Ports on port.
      return path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers') ? 'containerPort' : parent === 'spec' ? 'port' : undefined;
    case 'conditions':
      return parent === 'status' ? 'type' : undefined;
    case 'addresses':
      return parent === 'status' ? 'type' : undefined;
    default:
      return undefined;
  }
}

/** Primitive lists with patchStrategy merge (set union), e.g. ObjectMeta.Finalizers. */
function mergesPrimitives(path: readonly string[]): boolean {
  return path[path.length - 1] === 'finalizers' && path[path.length - 2] === 'metadata';
}

const isMap = (v: Json): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

function orderBy(list: Json[], order: Json[] | undefined, key: string | undefined): Json[] {
  if (!order) return list;
  const id = (v: Json): string => JSON.stringify(key && isMap(v) ? v[key] : v);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  const ranked = list.filter((v) => rank.has(id(v))).sort((a, b) => (rank.get(id(a)) ?? 0) - (rank.get(id(b)) ?? 0));
  return [...ranked, ...list.filter((v) => !rank.has(id(v)))];
}

function mergeList(original: Json, patch: Json[], path: readonly string[], order: Json[] | undefined): Json[] {
  const base = Array.isArray(original) ? [...original] : [];
  const key = mergeKeyFor(path);
  if (key === undefined) {
    if (mergesPrimitives(path)) return orderBy([...base, ...patch.filter((v) => !base.includes(v))], order, undefined);
    // A list element {"$patch": "replace"} is meaningless for atomic lists: the list is replaced anyway.
    return patch.filter((v) => !(isMap(v) && '$patch' in v));
  }
  if (patch.some((v) => isMap(v) && v.$patch === 'replace')) return patch.filter((v) => !(isMap(v) && v.$patch === 'replace'));
  let out = base;
  for (const item of patch) {
    if (!isMap(item)) throw new StoreError(400, 'BadRequest', `strategic merge patch: element of ${path.join('.')} is not an object`);
    if (!(key in item)) throw new StoreError(400, 'BadRequest', `strategic merge patch: map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const index = out.findIndex((o) => isMap(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      out = out.filter((o) => !(isMap(o) && o[key] === item[key]));
      continue;
    }
    if (index >= 0) out[index] = mergeMap(out[index], item, path);
    else out.push(mergeMap({}, item, path));
  }
  return orderBy(out, order, key);
}

function mergeMap(original: Json, patch: JsonMap, path: readonly string[]): JsonMap {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  const out: JsonMap = isMap(original) ? { ...original } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys.map(String)) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(value) ? value : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((v) => !drop.includes(v));
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const order = patch[`$setElementOrder/${key}`] as Json[] | undefined;
    if (isMap(value) && value.$patch === 'delete') delete out[key];
    else if (isMap(value)) out[key] = mergeMap(out[key], value, [...path, key]);
    else if (Array.isArray(value)) out[key] = mergeList(out[key], value, [...path, key], order);
    else out[key] = value;
  }
  for (const [key, order] of Object.entries(patch)) {
    const field = key.startsWith('$setElementOrder/') ? key.slice('$setElementOrder/'.length) : undefined;
    if (field !== undefined && !(field in patch) && Array.isArray(out[field]) && Array.isArray(order)) out[field] = orderBy(out[field] as Json[], order, mergeKeyFor([...path, field]));
  }
  if (retain) for (const key of Object.keys(out)) if (!retain.has(key)) delete out[key];
  return out;
}

/** Applies a strategic merge patch to an object. */
export function strategicMergePatch(original: JsonMap, patch: Json): JsonMap {
  if (!isMap(patch)) throw new StoreError(400, 'BadRequest', 'strategic merge patch: the patch is not a JSON object');
  return mergeMap(original, patch, []);
}
