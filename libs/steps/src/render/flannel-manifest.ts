import { parseAllDocuments } from 'yaml';

/** What the flannel manifest must say about the pod network. */
export interface FlannelSettings {
  podCidr: string;
  backend: string;
}

/** The rendered manifest and where flannel lives in it. */
export interface RenderedFlannel {
  manifest: string;
  /** kube-flannel since v0.19, kube-system before. */
  namespace: string;
  /** The flannel images named by the manifest. */
  images: string[];
}

/**
 * The upstream manifest with net-conf.json's Network set to the pod CIDR and its Backend
 * type set; every other document and field stays as released.
 */
export function renderFlannelManifest(source: string, settings: FlannelSettings): RenderedFlannel {
  const docs = parseAllDocuments(source);
  let namespace: string | undefined;
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`the flannel manifest is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
    if (doc.get('kind') !== 'ConfigMap' || doc.getIn(['metadata', 'name']) !== 'kube-flannel-cfg') continue;
    namespace = String(doc.getIn(['metadata', 'namespace']) ?? 'kube-system');
    const netConf = JSON.parse(String(doc.getIn(['data', 'net-conf.json']) ?? '{}')) as Record<string, unknown>;
    netConf['Network'] = settings.podCidr;
    const backend = (netConf['Backend'] ?? {}) as Record<string, unknown>;
    netConf['Backend'] = backend['Type'] === settings.backend ? backend : { Type: settings.backend };
    doc.setIn(['data', 'net-conf.json'], `${JSON.stringify(netConf, null, 2)}\n`);
  }
  if (namespace === undefined) throw new Error('the manifest has no ConfigMap kube-flannel-cfg: it is not flannel\'s kube-flannel.yml');
  const images = [...new Set([...source.matchAll(/image:\s*["']?([^\s"']*flannel[^\s"']*)/g)].map((match) => match[1] ?? ''))];
  const body = docs.map((doc) => doc.toString().replace(/^---\n/, '')).join('---\n');
  return { manifest: `# Rendered by kumi (step cni.flannel) from the upstream kube-flannel.yml.\n${body}`, namespace, images };
}

/** net-conf.json's Network and Backend.Type of a manifest or ConfigMap value. */
export function netConfOf(netConfJson: string): { network: string | undefined; backend: string | undefined } {
  const parsed = JSON.parse(netConfJson) as { Network?: string; Backend?: { Type?: string } };
  return { network: parsed.Network, backend: parsed.Backend?.Type };
}
