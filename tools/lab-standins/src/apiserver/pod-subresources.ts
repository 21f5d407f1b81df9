import { statusBody, type KubeObject } from '../common/kube-object';
import type { ResourceInfo } from '../common/resources';
import { evictPod, type EvictionResult } from './eviction';
import type { ObjectStore } from './store';

/** The parts of a request route the pod subresources need. */
export interface PodSubresourceRoute {
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** pods/eviction and pods/exec in /api/v1's APIResourceList, as the real API server lists them (kubectl drain's CheckEvictionSupport looks for pods/eviction). */
export const POD_SUBRESOURCES_DISCOVERY: readonly Record<string, unknown>[] = [
  { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
];

/**
 * pods/eviction and pods/exec requests that reach the plain HTTP handler (exec is served on the
 * connection upgrade, streaming/exec-proxy.ts). Undefined for every other route.
 */
export async function servePodSubresource(store: ObjectStore, method: string, route: PodSubresourceRoute, body: string, url: URL, now: Date): Promise<EvictionResult | undefined> {
  if (route.info.resource !== 'pods' || !route.namespace || !route.name) return undefined;
  if (route.subresource === 'eviction') {
    if (method !== 'POST') return { code: 405, body: statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`) };
    let eviction: KubeObject;
    try {
      eviction = JSON.parse(body) as KubeObject;
    } catch {
      return { code: 400, body: statusBody(400, 'BadRequest', 'the request body is not a JSON Eviction') };
    }
    return evictPod(store, route.namespace, route.name, eviction, now, url.searchParams.getAll('dryRun').includes('All'));
  }
  // A streaming subresource asked for without an upgrade (upgradeaware.go: "Upgrade request required").
  if (route.subresource === 'exec') return { code: 400, body: statusBody(400, 'BadRequest', 'Upgrade request required') };
  return undefined;
}
