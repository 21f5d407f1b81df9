import YAML from 'yaml';

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/**
 * YAML as the Kubernetes tools print it (kubectl -o yaml, kubeadm -o yaml, the files kubeadm
 * writes): sigs.k8s.io/yaml marshals through JSON into go-yaml, so mapping keys come out
 * sorted, and go-yaml writes a sequence under a key without indenting its "- " items.
 * JSON's omitted undefined values are left out too.
 */
export function goYaml(value: unknown): string {
  return YAML.stringify(sortedKeys(JSON.parse(JSON.stringify(value))), { indentSeq: false });
}
