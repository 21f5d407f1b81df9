/** How a kind maps onto a REST resource. */
export interface ResourceInfo {
  readonly kind: string;
  /** Plural, lower-case resource name ("daemonsets"). */
  readonly resource: string;
  /** API group, "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  /** kubectl's short names from discovery (`kubectl get no`), as the real API server lists them. */
  readonly shortNames?: readonly string[];
}

const KNOWN: readonly ResourceInfo[] = [
  { kind: 'Namespace', resource: 'namespaces', group: '', version: 'v1', namespaced: false, shortNames: ['ns'] },
  { kind: 'Node', resource: 'nodes', group: '', version: 'v1', namespaced: false, shortNames: ['no'] },
  { kind: 'Pod', resource: 'pods', group: '', version: 'v1', namespaced: true, shortNames: ['po'] },
  { kind: 'Secret', resource: 'secrets', group: '', version: 'v1', namespaced: true },
  { kind: 'ConfigMap', resource: 'configmaps', group: '', version: 'v1', namespaced: true, shortNames: ['cm'] },
  { kind: 'Service', resource: 'services', group: '', version: 'v1', namespaced: true, shortNames: ['svc'] },
  { kind: 'ServiceAccount', resource: 'serviceaccounts', group: '', version: 'v1', namespaced: true, shortNames: ['sa'] },
  { kind: 'Event', resource: 'events', group: '', version: 'v1', namespaced: true, shortNames: ['ev'] },
  { kind: 'Endpoints', resource: 'endpoints', group: '', version: 'v1', namespaced: true, shortNames: ['ep'] },
  { kind: 'PersistentVolume', resource: 'persistentvolumes', group: '', version: 'v1', namespaced: false, shortNames: ['pv'] },
  { kind: 'DaemonSet', resource: 'daemonsets', group: 'apps', version: 'v1', namespaced: true, shortNames: ['ds'] },
  { kind: 'Deployment', resource: 'deployments', group: 'apps', version: 'v1', namespaced: true, shortNames: ['deploy'] },
  { kind: 'ReplicaSet', resource: 'replicasets', group: 'apps', version: 'v1', namespaced: true, shortNames: ['rs'] },
  { kind: 'StatefulSet', resource: 'statefulsets', group: 'apps', version: 'v1', namespaced: true, shortNames: ['sts'] },
  { kind: 'ClusterRole', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  { kind: 'Role', resource: 'roles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  { kind: 'RoleBinding', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  { kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', group: 'certificates.k8s.io', version: 'v1', namespaced: false, shortNames: ['csr'] },
  { kind: 'Lease', resource: 'leases', group: 'coordination.k8s.io', version: 'v1', namespaced: true },
  { kind: 'PriorityClass', resource: 'priorityclasses', group: 'scheduling.k8s.io', version: 'v1', namespaced: false, shortNames: ['pc'] },
  { kind: 'StorageClass', resource: 'storageclasses', group: 'storage.k8s.io', version: 'v1', namespaced: false, shortNames: ['sc'] },
  { kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io', version: 'v1', namespaced: false, shortNames: ['crd', 'crds'] },
  { kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', group: 'policy', version: 'v1', namespaced: true, shortNames: ['pdb'] },
];

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Every resource the lab's API server serves, in discovery order. */
export function knownResources(): readonly ResourceInfo[] {
  return KNOWN;
}

/** Resolves a manifest's apiVersion + kind to its resource (unknown kinds: namespaced, regular plural). */
export function resourceForKind(apiVersion: string, kind: string): ResourceInfo {
  const { group, version } = splitApiVersion(apiVersion);
  const known = KNOWN.find((r) => r.kind === kind && r.group === group);
  return known ? { ...known, version } : { kind, resource: pluralOf(kind), group, version, namespaced: true };
}

/** Resolves a resource name as typed on kubectl's command line ("nodes", "node", "no", "pods", "po", "ds"). */
export function resourceByName(name: string): ResourceInfo | undefined {
  const aliases: Record<string, string> = { no: 'nodes', po: 'pods', ns: 'namespaces', cm: 'configmaps', ds: 'daemonsets', deploy: 'deployments', svc: 'services', sa: 'serviceaccounts', csr: 'certificatesigningrequests' };
  const lower = name.toLowerCase().split('.')[0] ?? '';
  const resource = aliases[lower] ?? lower;
  return KNOWN.find((r) => r.resource === resource || r.kind.toLowerCase() === resource);
}

/** Resolves a REST resource name with its group (from a URL). */
export function resourceByRest(group: string, resource: string): ResourceInfo {
  return KNOWN.find((r) => r.group === group && r.resource === resource) ?? { kind: resource, resource, group, version: 'v1', namespaced: true };
}

/** The REST path of a resource collection or object. */
export function restPath(info: ResourceInfo, namespace?: string, name?: string): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The etcd key of an object (prefix when name is omitted). */
export function registryKey(resource: string, namespace: string | undefined, name?: string): string {
  const ns = namespace ? `${namespace}/` : '';
  return `/registry/${resource}/${ns}${name ?? ''}`;
}
