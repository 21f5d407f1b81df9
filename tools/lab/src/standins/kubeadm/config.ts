import fs from 'node:fs';
import os from 'node:os';
import YAML from 'yaml';
import { BOOTSTRAP_TOKEN_RE } from '../common/bootstrap-token';
import { parseGoDuration } from '../common/go-duration';
import type { KeyAlgorithm } from '../common/pki';
import { KubeadmError } from './kubeadm-error';

/** Default group of tokens made by `kubeadm init` / `kubeadm token create`. */
export const DEFAULT_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
/** kubeadm's default token lifetime. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000;
/** Lifetime of the kubeadm-certs Secret (and of the certificate key). */
export const CERT_KEY_TTL_MS = 2 * 3_600_000;

/** One bootstrap token of an InitConfiguration. */
export interface BootstrapTokenSpec {
  token?: string;
  ttlMs: number;
  expires?: string;
  usages: string[];
  groups: string[];
  description: string;
}

/** ClusterConfiguration fields the stand-in honours. */
export interface ClusterConfig {
  kubernetesVersion: string;
  controlPlaneEndpoint: string;
  clusterName: string;
  podSubnet: string;
  serviceSubnet: string;
  dnsDomain: string;
  certSANs: string[];
  encryptionAlgorithm: KeyAlgorithm;
  certificatesDir: string;
  etcdDataDir: string;
}

/** InitConfiguration fields the stand-in honours. */
export interface InitConfig {
  bootstrapTokens: BootstrapTokenSpec[];
  certificateKey?: string;
  advertiseAddress: string;
  bindPort: number;
  nodeName: string;
  criSocket: string;
}

/** JoinConfiguration fields the stand-in honours. */
export interface JoinConfig {
  apiServerEndpoint: string;
  token: string;
  caCertHashes: string[];
  unsafeSkipCAVerification: boolean;
  discoveryTimeoutMs: number;
  tlsBootstrapToken: string;
  nodeName: string;
  criSocket: string;
  controlPlane?: { certificateKey: string; advertiseAddress: string; bindPort: number };
}

/** Every document of a kubeadm config file. */
export interface KubeadmConfigFile {
  init?: InitConfig;
  cluster: ClusterConfig;
  join?: JoinConfig;
  /** The raw ClusterConfiguration document (for the kubeadm-config ConfigMap). */
  rawCluster: Record<string, unknown>;
  warnings: string[];
}

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {});
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback);

/** The first non-loopback IPv4 address, as kubeadm picks the default interface's address (KUMI_STANDIN_NODE_IP overrides). */
export function defaultAdvertiseAddress(): string {
  // Loopback tests have no per-host interface: they name the host's address instead.
  const fromEnv = process.env.KUMI_STANDIN_NODE_IP;
  if (fromEnv && fromEnv !== '') return fromEnv;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new KubeadmError('unable to select an IP from default routes.: set localAPIEndpoint.advertiseAddress in the configuration');
}

function clusterFrom(doc: Doc): ClusterConfig {
  const networking = obj(doc.networking);
  const etcdLocal = obj(obj(doc.etcd).local);
  const algorithm = str(doc.encryptionAlgorithm, 'RSA-2048');
  if (!['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256'].includes(algorithm)) {
    throw new KubeadmError(`ClusterConfiguration.encryptionAlgorithm: Invalid value: "${algorithm}": the lab supports RSA-2048, RSA-3072, RSA-4096 and ECDSA-P256`);
  }
  return {
    kubernetesVersion: str(doc.kubernetesVersion, 'v1.34.2'),
    controlPlaneEndpoint: str(doc.controlPlaneEndpoint),
    clusterName: str(doc.clusterName, 'kubernetes'),
    podSubnet: str(networking.podSubnet),
    serviceSubnet: str(networking.serviceSubnet, '10.96.0.0/12'),
    dnsDomain: str(networking.dnsDomain, 'cluster.local'),
    certSANs: (Array.isArray(obj(doc.apiServer).certSANs) ? (obj(doc.apiServer).certSANs as unknown[]) : []).map((s) => str(s)),
    encryptionAlgorithm: algorithm as KeyAlgorithm,
    certificatesDir: str(doc.certificatesDir, '/etc/kubernetes/pki'),
    etcdDataDir: str(etcdLocal.dataDir, '/var/lib/etcd'),
  };
}

function tokenFrom(raw: unknown): BootstrapTokenSpec {
  const t = obj(raw);
  const token = str(t.token);
  if (token !== '' && !BOOTSTRAP_TOKEN_RE.test(token)) {
    throw new KubeadmError(`InitConfiguration.bootstrapTokens[0].token: Invalid value: the token does not match the regular expression "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  }
  return {
    token: token === '' ? undefined : token,
    ttlMs: t.ttl === undefined ? DEFAULT_TOKEN_TTL_MS : parseGoDuration(str(t.ttl)),
    expires: t.expires === undefined ? undefined : str(t.expires),
    usages: Array.isArray(t.usages) ? t.usages.map((u) => str(u)) : ['signing', 'authentication'],
    groups: Array.isArray(t.groups) ? t.groups.map((g) => str(g)) : [DEFAULT_TOKEN_GROUP],
    description: str(t.description),
  };
}

function initFrom(doc: Doc, hostname: string): InitConfig {
  const endpoint = obj(doc.localAPIEndpoint);
  const reg = obj(doc.nodeRegistration);
  const tokens = (Array.isArray(doc.bootstrapTokens) ? doc.bootstrapTokens.map(tokenFrom) : [tokenFrom({})])
    .map((t) => ({ ...t, description: t.description || "The default bootstrap token generated by 'kubeadm init'." }));
  const key = doc.certificateKey === undefined ? undefined : str(doc.certificateKey);
  if (key !== undefined && !/^[0-9a-f]{64}$/.test(key)) {
    throw new KubeadmError('InitConfiguration.certificateKey: Invalid value: the certificate key must be 64 hexadecimal characters (a 32-byte AES key); make one with "kubeadm certs certificate-key"');
  }
  return {
    bootstrapTokens: tokens,
    certificateKey: key,
    advertiseAddress: str(endpoint.advertiseAddress) || defaultAdvertiseAddress(),
    bindPort: Number(endpoint.bindPort ?? 6443),
    nodeName: str(reg.name, hostname),
    criSocket: str(reg.criSocket, 'unix:///var/run/containerd/containerd.sock'),
  };
}

function joinFrom(doc: Doc, version: string, hostname: string): JoinConfig {
  const discovery = obj(doc.discovery);
  const bt = obj(discovery.bootstrapToken);
  const reg = obj(doc.nodeRegistration);
  const token = str(bt.token);
  if (!BOOTSTRAP_TOKEN_RE.test(token)) {
    throw new KubeadmError('JoinConfiguration.discovery.bootstrapToken.token: Invalid value: the token does not match the regular expression "^([a-z0-9]{6})\\.([a-z0-9]{16})$"');
  }
  const hashes = Array.isArray(bt.caCertHashes) ? bt.caCertHashes.map((h) => str(h)) : [];
  const unsafe = bt.unsafeSkipCAVerification === true;
  if (hashes.length === 0 && !unsafe) {
    throw new KubeadmError('discovery.bootstrapToken: Invalid value: using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue');
  }
  if (!str(bt.apiServerEndpoint)) throw new KubeadmError('discovery.bootstrapToken.apiServerEndpoint: Required value: the API server endpoint (VIP:port) is needed for token discovery');
  const timeoutText = version === 'v1beta4' ? obj(doc.timeouts).discovery : discovery.timeout;
  const cp = doc.controlPlane === undefined ? undefined : obj(doc.controlPlane);
  const cpEndpoint = obj(cp?.localAPIEndpoint);
  const certificateKey = str(cp?.certificateKey);
  if (cp && certificateKey !== '' && !/^[0-9a-f]{64}$/.test(certificateKey)) {
    throw new KubeadmError('JoinConfiguration.controlPlane.certificateKey: Invalid value: the certificate key must be 64 hexadecimal characters');
  }
  return {
    apiServerEndpoint: str(bt.apiServerEndpoint),
    token,
    caCertHashes: hashes,
    unsafeSkipCAVerification: unsafe,
    discoveryTimeoutMs: timeoutText === undefined ? 5 * 60_000 : parseGoDuration(str(timeoutText)),
    tlsBootstrapToken: str(discovery.tlsBootstrapToken, token),
    nodeName: str(reg.name, hostname),
    criSocket: str(reg.criSocket, 'unix:///var/run/containerd/containerd.sock'),
    controlPlane: cp ? { certificateKey, advertiseAddress: str(cpEndpoint.advertiseAddress) || defaultAdvertiseAddress(), bindPort: Number(cpEndpoint.bindPort ?? 6443) } : undefined,
  };
}

/** Reads a kubeadm config file (YAML, several documents), v1beta4 or v1beta3. */
export function loadKubeadmConfig(file: string, hostname: string): KubeadmConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeadmError(`unable to read config from "${file}" : open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}`);
  }
  const warnings: string[] = [];
  let init: Doc | undefined;
  let cluster: Doc | undefined;
  let join: Doc | undefined;
  let version = 'v1beta4';
  for (const document of YAML.parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new KubeadmError(`error converting YAML to JSON: ${document.errors[0]?.message ?? 'invalid YAML'}`);
    const doc = obj(document.toJS());
    if (Object.keys(doc).length === 0) continue;
    const apiVersion = str(doc.apiVersion);
    const kind = str(doc.kind);
    if (apiVersion.startsWith('kubeadm.k8s.io/')) {
      version = apiVersion.slice('kubeadm.k8s.io/'.length);
      if (version === 'v1beta3') {
        warnings.push(`W${new Date().toISOString().slice(5, 10).replace('-', '')} your configuration file uses a deprecated API spec: "kubeadm.k8s.io/v1beta3" (kind: "${kind}"). Please use 'kubeadm config migrate --old-config old-config-file --new-config new-config-file', which will write the new, similar spec using a newer API version.`);
      } else if (version !== 'v1beta4') {
        throw new KubeadmError(`your configuration file uses an old API spec: "${apiVersion}" (kind: "${kind}"). Please use kubeadm v1.22 instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version.`);
      }
      if (kind === 'InitConfiguration') init = doc;
      else if (kind === 'ClusterConfiguration') cluster = doc;
      else if (kind === 'JoinConfiguration') join = doc;
      else if (kind !== 'ResetConfiguration' && kind !== 'UpgradeConfiguration') throw new KubeadmError(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31"`);
    } else if (apiVersion === '' || kind === '') {
      throw new KubeadmError(`invalid configuration for GroupVersionKind /, Kind=: kind and apiVersion is mandatory information that must be specified`);
    }
  }
  if (init && join) throw new KubeadmError(`the config file ${file} has both an InitConfiguration and a JoinConfiguration: use one per command`);
  return {
    init: init ? initFrom(init, hostname) : undefined,
    cluster: clusterFrom(cluster ?? {}),
    join: join ? joinFrom(join, version, hostname) : undefined,
    rawCluster: cluster ?? { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration' },
    warnings,
  };
}

/** Parses a ClusterConfiguration YAML from the kubeadm-config ConfigMap. */
export function clusterFromYaml(text: string): ClusterConfig {
  return clusterFrom(obj(YAML.parse(text)));
}
