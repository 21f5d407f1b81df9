import type { KubeObject } from '../common/kube-object';
import type { ResourceInfo } from '../common/resources';
import { StoreError } from './store';

/**
 * Server-side field validation (the `fieldValidation` query parameter, KEP-2885): Strict
 * refuses unknown fields with 400 BadRequest ("strict decoding error: unknown field ..."),
 * Warn answers them in a `Warning` header, Ignore drops them silently, as
 * k8s.io/apiserver's endpoints/handlers (create.go, patch.go: the strict serializer's
 * errors) do. The lab checks the fields it knows the schema of: the top level of each kind
 * and ObjectMeta (k8s.io/api core/v1, apps/v1, rbac/v1 types.go); deeper fields pass.
 */

const META = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields']);

const SPEC_STATUS = ['spec', 'status'];
const TOP_LEVEL: Readonly<Record<string, readonly string[]>> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  ClusterRole: ['rules', 'aggregationRule'],
  Role: ['rules'],
  ClusterRoleBinding: ['subjects', 'roleRef'],
  RoleBinding: ['subjects', 'roleRef'],
  Endpoints: ['subsets'],
  PriorityClass: ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  StorageClass: ['provisioner', 'parameters', 'reclaimPolicy', 'mountOptions', 'allowVolumeExpansion', 'volumeBindingMode', 'allowedTopologies'],
};
const WITH_SPEC = new Set(['Namespace', 'Node', 'Pod', 'Service', 'PersistentVolume', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet', 'CertificateSigningRequest', 'Lease', 'CustomResourceDefinition', 'PodDisruptionBudget']);

function unknownFields(info: ResourceInfo, obj: KubeObject): string[] {
  const allowed = WITH_SPEC.has(info.kind) ? SPEC_STATUS : TOP_LEVEL[info.kind];
  if (!allowed) return [];
  const top = new Set(['apiVersion', 'kind', 'metadata', ...allowed]);
  return [...Object.keys(obj).filter((k) => !top.has(k)), ...Object.keys(obj.metadata ?? {}).filter((k) => !META.has(k)).map((k) => `metadata.${k}`)];
}

/** Checks an object against the fieldValidation directive; returns warnings (Warn) or throws (Strict). */
export function validateFields(info: ResourceInfo, obj: KubeObject, directive: string | null, verb: 'creating' | 'updating' | 'patching'): string[] {
  const mode = (directive ?? 'Strict').toLowerCase();
  if (mode === 'ignore') return [];
  if (mode !== 'strict' && mode !== 'warn') throw new StoreError(400, 'BadRequest', `fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${directive}"`);
  const unknown = unknownFields(info, obj);
  if (unknown.length === 0) return [];
  if (mode === 'warn') return unknown.map((f) => `unknown field "${f}"`);
  const detail = unknown.map((f) => `unknown field "${f}"`).join(', ');
  if (verb === 'patching') throw new StoreError(400, 'BadRequest', `error ${verb} ${info.kind}: strict decoding error: ${detail}`);
  throw new StoreError(400, 'BadRequest', `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${detail}`);
}
