import { knownResources, type ResourceInfo } from '../common/resources';
import { POD_SUBRESOURCES_DISCOVERY } from './pod-subresources';

/**
 * Unaggregated ("legacy") discovery: /api (APIVersions), /apis (APIGroupList) and one
 * APIResourceList per group-version, as k8s.io/apiserver's endpoints/discovery
 * (legacy.go, root.go, version.go) serves them.
 *
 * kubectl ≥ 1.30 asks /api and /apis for the aggregated form first (Accept
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...,application/json`);
 * client-go's DiscoveryClient.downloadLegacy/downloadAPIs (client-go/discovery/
 * discovery_client.go) read the answer by its Content-Type, and plain `application/json`
 * means the unaggregated documents, after which it fetches each group-version's resource
 * list. "The server will either return both endpoints (/api, /apis) as aggregated discovery
 * format or legacy format": this server always answers the legacy format.
 */

/** The verbs the lab's store serves for a top-level resource (no deletecollection). */
const RESOURCE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** Subresources served (PUT/PATCH of status goes through the store like the real status strategy). */
const SUBRESOURCES: Readonly<Record<string, readonly string[]>> = {
  nodes: ['status'],
  pods: ['status'],
  deployments: ['status'],
  daemonsets: ['status'],
  certificatesigningrequests: ['status'],
};

function groupVersion(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

/** GET /api: the core group's versions (metav1.APIVersions). */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis: every named group with its one version (metav1.APIGroupList). */
export function apiGroupList(): unknown {
  const groups = [...new Set(knownResources().filter((r) => r.group !== '').map((r) => r.group))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => {
      const version = { groupVersion: `${name}/v1`, version: 'v1' };
      return { name, versions: [version], preferredVersion: version };
    }),
  };
}

/** GET /api/v1 or /apis/GROUP/VERSION: the resources of one group-version (metav1.APIResourceList), or undefined when not served. */
export function apiResourceList(group: string, version: string): unknown {
  const resources = knownResources().filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources: resources.flatMap((r) => [
      { name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: RESOURCE_VERBS, ...(r.shortNames ? { shortNames: r.shortNames } : {}) },
      ...(SUBRESOURCES[r.resource] ?? []).map((sub) => ({ name: `${r.resource}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] })),
      ...(r.resource === 'pods' ? POD_SUBRESOURCES_DISCOVERY : []), // pods/eviction, pods/exec
    ]),
  };
}
