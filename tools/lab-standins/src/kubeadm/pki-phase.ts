import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type HostEnv, hostPath } from '../common/host-env';
import { renderKubeconfig } from '../common/kubeconfig';
import { type CertAndKey, createCa, generateKey, issueCert, loadKey, type CertSpec } from '../common/pki';
import type { ClusterConfig } from './config';

/** The node a certificate set is for. */
export interface NodeIdentity {
  readonly name: string;
  readonly address: string;
}

/** Files shared by every control plane (what the kubeadm-certs Secret carries). */
export const SHARED_CERT_FILES = ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.pub', 'sa.key', 'etcd/ca.crt', 'etcd/ca.key'] as const;

function write(file: string, content: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/** Splits "host:port" (also "[v6]:port"). */
export function splitHostPort(endpoint: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(endpoint);
  return { host: m?.[1] ?? endpoint, port: Number(m?.[2] ?? 6443) };
}

/** The first usable address of the service subnet (the "kubernetes" Service IP). */
export function firstServiceIp(serviceSubnet: string): string {
  const base = serviceSubnet.split(',')[0]?.split('/')[0] ?? '10.96.0.0';
  const parts = base.split('.').map(Number);
  if (parts.length !== 4) return '10.96.0.1';
  const n = (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) + 1;
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Certificate folder of this host. */
export function pkiDir(host: HostEnv, cluster: ClusterConfig): string {
  return hostPath(host, cluster.certificatesDir);
}

function writePair(dir: string, base: string, pair: CertAndKey): void {
  write(path.join(dir, `${base}.crt`), pair.certPem, 0o644);
  write(path.join(dir, `${base}.key`), pair.key.privateKeyPem, 0o600);
}

/** Loads a CA (cert + key) from the certificate folder. */
export async function loadCa(dir: string, base: string): Promise<CertAndKey> {
  return { certPem: fs.readFileSync(path.join(dir, `${base}.crt`), 'utf8'), key: await loadKey(fs.readFileSync(path.join(dir, `${base}.key`), 'utf8')) };
}

/** Creates the cluster-wide CAs and the service-account key (kubeadm init only). */
export async function createSharedCerts(dir: string, cluster: ClusterConfig, now: Date, log: (line: string) => void): Promise<void> {
  log(`[certs] Using certificateDir folder "${cluster.certificatesDir}"`);
  log('[certs] Generating "ca" certificate and key');
  writePair(dir, 'ca', await createCa('kubernetes', cluster.encryptionAlgorithm, now));
  log('[certs] Generating "front-proxy-ca" certificate and key');
  writePair(dir, 'front-proxy-ca', await createCa('front-proxy-ca', cluster.encryptionAlgorithm, now));
  log('[certs] Generating "etcd/ca" certificate and key');
  writePair(dir, 'etcd/ca', await createCa('etcd-ca', cluster.encryptionAlgorithm, now));
  log('[certs] Generating "sa" key and public key');
  const sa = await generateKey(cluster.encryptionAlgorithm === 'ECDSA-P256' ? 'ECDSA-P256' : 'RSA-2048');
  write(path.join(dir, 'sa.key'), sa.privateKeyPem, 0o600);
  write(path.join(dir, 'sa.pub'), sa.publicKeyPem, 0o644);
}

/** Creates this node's leaf certificates from the CAs already in the folder. */
export async function createNodeCerts(dir: string, cluster: ClusterConfig, node: NodeIdentity, now: Date, log: (line: string) => void): Promise<void> {
  const ca = await loadCa(dir, 'ca');
  const etcdCa = await loadCa(dir, 'etcd/ca');
  const frontProxyCa = await loadCa(dir, 'front-proxy-ca');
  const alg = cluster.encryptionAlgorithm;
  const endpointHost = splitHostPort(cluster.controlPlaneEndpoint || node.address).host;
  const dns = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${cluster.dnsDomain}`, node.name];
  const ips = [firstServiceIp(cluster.serviceSubnet), node.address];
  for (const san of [endpointHost, ...cluster.certSANs]) {
    if (san === '') continue;
    const list = net.isIP(san) ? ips : dns;
    if (!list.includes(san)) list.push(san);
  }
  const issueAndWrite = async (name: string, signer: CertAndKey, spec: CertSpec): Promise<void> => {
    log(`[certs] Generating "${name}" certificate and key`);
    writePair(dir, name, await issueCert(signer, spec, alg, now));
  };
  await issueAndWrite('apiserver', ca, { commonName: 'kube-apiserver', dnsNames: dns, ipAddresses: ips, usages: ['server'] });
  log(`[certs] apiserver serving cert is signed for DNS names [${dns.join(' ')}] and IPs [${ips.join(' ')}]`);
  await issueAndWrite('apiserver-kubelet-client', ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['kubeadm:cluster-admins'], usages: ['client'] });
  await issueAndWrite('front-proxy-client', frontProxyCa, { commonName: 'front-proxy-client', usages: ['client'] });
  const etcdNames = { dnsNames: [node.name, 'localhost'], ipAddresses: [node.address, '127.0.0.1', '::1'].filter((v, i, a) => a.indexOf(v) === i) };
  await issueAndWrite('etcd/server', etcdCa, { commonName: node.name, ...etcdNames, usages: ['server', 'client'] });
  log(`[certs] etcd/server serving cert is signed for DNS names [${etcdNames.dnsNames.join(' ')}] and IPs [${etcdNames.ipAddresses.join(' ')}]`);
  await issueAndWrite('etcd/peer', etcdCa, { commonName: node.name, ...etcdNames, usages: ['server', 'client'] });
  log(`[certs] etcd/peer serving cert is signed for DNS names [${etcdNames.dnsNames.join(' ')}] and IPs [${etcdNames.ipAddresses.join(' ')}]`);
  await issueAndWrite('etcd/healthcheck-client', etcdCa, { commonName: 'kube-etcd-healthcheck-client', usages: ['client'] });
  await issueAndWrite('apiserver-etcd-client', etcdCa, { commonName: 'kube-apiserver-etcd-client', usages: ['client'] });
}

/**
 * Writes the control-plane kubeconfig files, signed by the cluster CA. `kubeletServer` is
 * what kubelet.conf names: the shared endpoint, or this node's own API server under
 * ControlPlaneKubeletLocalMode (see kubeletServerFor).
 */
export async function createKubeconfigs(host: HostEnv, dir: string, cluster: ClusterConfig, node: NodeIdentity, server: string, kubeletServer: string, withSuperAdmin: boolean, now: Date, log: (line: string) => void): Promise<void> {
  const ca = await loadCa(dir, 'ca');
  log('[kubeconfig] Using kubeconfig folder "/etc/kubernetes"');
  const files: [string, string, string[], string][] = [
    ['admin.conf', 'kubernetes-admin', ['kubeadm:cluster-admins'], server],
    ...(withSuperAdmin ? [['super-admin.conf', 'kubernetes-super-admin', ['system:masters'], server] as [string, string, string[], string]] : []),
    ['kubelet.conf', `system:node:${node.name}`, ['system:nodes'], kubeletServer],
    ['controller-manager.conf', 'system:kube-controller-manager', [], `https://${node.address}:6443`],
    ['scheduler.conf', 'system:kube-scheduler', [], `https://${node.address}:6443`],
  ];
  for (const [file, user, groups, url] of files) {
    log(`[kubeconfig] Writing "${file}" kubeconfig file`);
    const cert = await issueCert(ca, { commonName: user, organizations: groups, usages: ['client'] }, cluster.encryptionAlgorithm, now);
    const text = renderKubeconfig({ clusterName: cluster.clusterName, server: url, caPem: ca.certPem, userName: user, clientCertPem: cert.certPem, clientKeyPem: cert.key.privateKeyPem });
    write(hostPath(host, `/etc/kubernetes/${file}`), text, 0o600);
  }
}
