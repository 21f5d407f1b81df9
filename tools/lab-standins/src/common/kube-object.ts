/** The loose shape of any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMetadata;
  [field: string]: unknown;
}

/** Object metadata fields the stand-ins use. */
export interface KubeMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
  [field: string]: unknown;
}

/** A node or pod condition. */
export interface KubeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** A Kubernetes Status object for an error answer. */
export function statusBody(code: number, reason: string, message: string, details?: { name?: string; kind?: string }): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** The Ready condition of a node or pod, if any. */
export function readyCondition(obj: KubeObject): KubeCondition | undefined {
  const status = obj.status as { conditions?: KubeCondition[] } | undefined;
  return status?.conditions?.find((c) => c.type === 'Ready');
}

/** A time as Kubernetes writes it: RFC 3339 in UTC without fractional seconds. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
