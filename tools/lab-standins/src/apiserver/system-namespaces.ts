import { resourceByRest, type ResourceInfo } from '../common/resources';
import { StoreError, type ObjectStore } from './store';

const NAMESPACES = resourceByRest('', 'namespaces');

/**
 * The namespaces kube-apiserver creates itself: kube-system, kube-public and
 * kube-node-lease by the system namespaces controller
 * (pkg/controlplane/controller/systemnamespaces), default by the bootstrap controller.
 */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** Creates the system namespaces that are missing; retries while etcd is away (at most `attempts` times, `everyMs` apart). */
export async function ensureSystemNamespaces(store: ObjectStore, attempts = 60, everyMs = 1000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    try {
      for (const name of SYSTEM_NAMESPACES) {
        if (await store.find(NAMESPACES, undefined, name)) continue;
        await store.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }).catch((err: unknown) => {
          if (!(err instanceof StoreError && err.reason === 'AlreadyExists')) throw err;
        });
      }
      return;
    } catch {
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

/**
 * The NamespaceLifecycle admission plugin's create check: objects go only into a namespace
 * that exists (404 NotFound otherwise). The system namespaces always count as existing,
 * as the plugin's immortal namespaces are created at start-up.
 */
export async function admitNamespace(store: ObjectStore, info: ResourceInfo, namespace: string | undefined): Promise<void> {
  if (!info.namespaced || namespace === undefined || (SYSTEM_NAMESPACES as readonly string[]).includes(namespace)) return;
  if (!(await store.find(NAMESPACES, undefined, namespace))) throw new StoreError(404, 'NotFound', `namespaces "${namespace}" not found`);
}

/** A new Namespace starts Active with the kubernetes.io/metadata.name label (namespace strategy PrepareForCreate, defaults). */
export function newNamespace(obj: { metadata?: { name?: string; labels?: Record<string, string> }; [k: string]: unknown }): typeof obj {
  const name = obj.metadata?.name ?? '';
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata?.labels, 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}
