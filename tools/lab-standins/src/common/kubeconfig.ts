import fs from 'node:fs';
import YAML from 'yaml';

/** What a client needs from a kubeconfig: the server, its CA and the credentials. */
export interface KubeconfigCredentials {
  readonly server: string;
  readonly caPem?: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly token?: string;
}

/** Inputs for writing a kubeconfig the way kubeadm does. */
export interface KubeconfigSpec {
  readonly clusterName: string;
  readonly server: string;
  readonly caPem: string;
  readonly userName: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly token?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Renders a kubeconfig (same layout and key order as kubeadm's). */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  const contextName = `${spec.userName}@${spec.clusterName}`;
  const user: Record<string, string> = {};
  if (spec.clientCertPem) user['client-certificate-data'] = b64(spec.clientCertPem);
  if (spec.clientKeyPem) user['client-key-data'] = b64(spec.clientKeyPem);
  if (spec.token) user.token = spec.token;
  return YAML.stringify({
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(spec.caPem), server: spec.server }, name: spec.clusterName }],
    contexts: [{ context: { cluster: spec.clusterName, user: spec.userName }, name: contextName }],
    'current-context': contextName,
    kind: 'Config',
    preferences: {},
    users: [{ name: spec.userName, user }],
  });
}

interface RawKubeconfig {
  clusters?: { name?: string; cluster?: Record<string, string | boolean> }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string } }[];
  users?: { name?: string; user?: Record<string, string> }[];
  'current-context'?: string;
}

function readMaybeFile(data: string | boolean | undefined, file: string | boolean | undefined): string | undefined {
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  if (typeof file === 'string' && file !== '') return fs.readFileSync(file, 'utf8');
  return undefined;
}

/** Parses a kubeconfig's current context into credentials. */
export function parseKubeconfig(text: string, source: string): KubeconfigCredentials {
  const raw = YAML.parse(text) as RawKubeconfig | null;
  if (!raw || typeof raw !== 'object') throw new Error(`${source} is not a kubeconfig (empty or not YAML)`);
  const contextName = raw['current-context'];
  const context = raw.contexts?.find((c) => c.name === contextName)?.context ?? raw.contexts?.[0]?.context;
  const cluster = raw.clusters?.find((c) => c.name === context?.cluster)?.cluster ?? raw.clusters?.[0]?.cluster;
  const user = raw.users?.find((u) => u.name === context?.user)?.user ?? raw.users?.[0]?.user ?? {};
  if (!cluster || typeof cluster.server !== 'string') throw new Error(`${source} has no cluster with a server address`);
  return {
    server: cluster.server,
    caPem: readMaybeFile(cluster['certificate-authority-data'], cluster['certificate-authority']),
    clientCertPem: readMaybeFile(user['client-certificate-data'], user['client-certificate']),
    clientKeyPem: readMaybeFile(user['client-key-data'], user['client-key']),
    token: user.token,
  };
}

/** Loads and parses a kubeconfig file. */
export function loadKubeconfig(file: string): KubeconfigCredentials {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseKubeconfig(text, file);
}

/** The kubeconfig kubeadm puts in kube-public/cluster-info: one unnamed cluster, no users. */
export function renderClusterInfoKubeconfig(server: string, caPem: string): string {
  return YAML.stringify({
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(caPem), server }, name: '' }],
    contexts: null,
    'current-context': '',
    kind: 'Config',
    preferences: {},
    users: null,
  });
}
