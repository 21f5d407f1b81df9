import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type HostEnv, hostPath, KubePaths } from './host-env';

/** A value with object keys in sorted order, so equal pods serialise equally (DeepHashObject is order-independent for maps). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as Record<string, unknown>).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/**
 * The kubelet's hash of a static pod file, its UID and `kubernetes.io/config.hash` annotation
 * (kubernetes/kubernetes pkg/kubelet/config/common.go applyDefaults, v1.28-v1.34): md5 over
 * `host:<node>`, `file:<path>` and the decoded pod. It changes whenever the decoded pod
 * changes (not with comments or key order); the pod is hashed as sorted JSON here, not
 * Go's spew dump, so the value differs from a real kubelet's while behaving the same.
 */
export function staticPodHash(nodeName: string, file: string, manifestText: string): string {
  const pod: unknown = YAML.parse(manifestText);
  return createHash('md5').update(`host:${nodeName}`).update(`file:${file}`).update(JSON.stringify(canonical(pod))).digest('hex');
}

/** The config hash of `component`'s manifest in this host's /etc/kubernetes/manifests, undefined when there is none. */
export function manifestHash(host: HostEnv, nodeName: string, component: string): string | undefined {
  const file = path.posix.join(KubePaths.manifestsDir, `${component}.yaml`);
  try {
    return staticPodHash(nodeName, file, fs.readFileSync(hostPath(host, file), 'utf8'));
  } catch {
    return undefined;
  }
}
