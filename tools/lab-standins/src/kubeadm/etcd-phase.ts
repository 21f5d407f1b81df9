import fs from 'node:fs';
import path from 'node:path';
import { EtcdClient, type EtcdMember } from '../common/etcd-client';
import { type HostEnv, hostPath } from '../common/host-env';
import type { ServiceRunner } from '../common/service-runner';
import { readTlsFiles } from '../common/tls-files';
import { pollUntil } from '../common/wait';
import type { ClusterConfig } from './config';
import { KubeadmError } from './kubeadm-error';
import type { NodeIdentity } from './pki-phase';

/** The service name of the local etcd member. */
export const ETCD_SERVICE = 'etcd';

const clientUrl = (address: string): string => `https://${address}:2379`;
const peerUrl = (address: string): string => `https://${address}:2380`;

/** etcd's flags as kubeadm's etcd static pod manifest sets them. */
export function etcdArgv(host: HostEnv, cluster: ClusterConfig, node: NodeIdentity, initialCluster: string, state: 'new' | 'existing'): string[] {
  const pki = hostPath(host, cluster.certificatesDir);
  const listenClient = node.address.startsWith('127.') ? [clientUrl(node.address)] : ['https://127.0.0.1:2379', clientUrl(node.address)];
  return [
    '/usr/bin/etcd',
    `--advertise-client-urls=${clientUrl(node.address)}`,
    `--cert-file=${pki}/etcd/server.crt`,
    '--client-cert-auth=true',
    `--data-dir=${hostPath(host, cluster.etcdDataDir)}`,
    '--experimental-initial-corrupt-check=true',
    `--initial-advertise-peer-urls=${peerUrl(node.address)}`,
    `--initial-cluster=${initialCluster}`,
    ...(state === 'existing' ? ['--initial-cluster-state=existing'] : []),
    `--key-file=${pki}/etcd/server.key`,
    `--listen-client-urls=${listenClient.join(',')}`,
    `--listen-peer-urls=${peerUrl(node.address)}`,
    `--name=${node.name}`,
    `--peer-cert-file=${pki}/etcd/peer.crt`,
    '--peer-client-cert-auth=true',
    `--peer-key-file=${pki}/etcd/peer.key`,
    `--peer-trusted-ca-file=${pki}/etcd/ca.crt`,
    '--snapshot-count=10000',
    `--trusted-ca-file=${pki}/etcd/ca.crt`,
  ];
}

/** An etcd client with this host's healthcheck-client certificate. */
export function etcdClientFor(host: HostEnv, cluster: ClusterConfig, endpoints: string[]): EtcdClient {
  const pki = hostPath(host, cluster.certificatesDir);
  return new EtcdClient(endpoints, readTlsFiles(`${pki}/etcd/ca.crt`, `${pki}/etcd/healthcheck-client.crt`, `${pki}/etcd/healthcheck-client.key`), 3000);
}

/** Writes the static Pod manifest (the record of what runs as "etcd" on this node). */
function writeManifest(host: HostEnv, argv: string[]): void {
  const file = hostPath(host, '/etc/kubernetes/manifests/etcd.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const command = argv.map((a, i) => `    - ${i === 0 ? 'etcd' : a}`).join('\n');
  fs.writeFileSync(file, `apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: etcd\n    tier: control-plane\n  name: etcd\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n${command}\n    name: etcd\n  hostNetwork: true\n`, { mode: 0o600 });
}

async function waitHealthy(client: EtcdClient, what: string, timeoutMs: number): Promise<void> {
  const ok = await pollUntil(async () => {
    // Any answer to a read, even "no such key", means the member serves.
    await client.get('/registry/health');
    return true;
  }, timeoutMs, 300);
  if (!ok) throw new KubeadmError(`${what}: etcd did not become healthy within ${Math.round(timeoutMs / 1000)}s`);
}

/** Starts the first etcd member of a new cluster and waits until it serves. */
export async function startFirstMember(host: HostEnv, runner: ServiceRunner, cluster: ClusterConfig, node: NodeIdentity, log: (line: string) => void): Promise<void> {
  const argv = etcdArgv(host, cluster, node, `${node.name}=${peerUrl(node.address)}`, 'new');
  log('[etcd] Creating static Pod manifest for local etcd in "/etc/kubernetes/manifests"');
  writeManifest(host, argv);
  fs.mkdirSync(hostPath(host, cluster.etcdDataDir), { recursive: true, mode: 0o700 });
  await runner.start(ETCD_SERVICE, argv);
  await waitHealthy(etcdClientFor(host, cluster, [clientUrl(node.address)]), 'local etcd', 30_000);
}

/**
 * Joins this node's etcd member to the existing cluster as kubeadm does since
 * EtcdLearnerMode: `member add --learner`, start etcd with initial-cluster-state=existing,
 * wait for it, then promote it once it is in sync.
 */
export async function joinMember(host: HostEnv, runner: ServiceRunner, cluster: ClusterConfig, node: NodeIdentity, existingEndpoints: string[], log: (line: string) => void): Promise<void> {
  const client = etcdClientFor(host, cluster, existingEndpoints);
  let members: EtcdMember[] = await client.memberList();
  let self = members.find((m) => m.peerURLs.includes(peerUrl(node.address)));
  if (!self) {
    // etcd refuses reconfiguration ("unhealthy cluster") until the last added member has been
    // connected for a while; kubeadm's etcd client retries member add with backoff for the same reason.
    let lastError: unknown;
    const added = await pollUntil(async () => {
      try {
        return await client.memberAdd([peerUrl(node.address)], true);
      } catch (err) {
        lastError = err;
        throw err;
      }
    }, 40_000, 1000);
    if (!added) throw new KubeadmError(`error adding etcd member ${peerUrl(node.address)}: ${(lastError as Error | undefined)?.message ?? 'timed out'}`, 'control-plane-join/etcd');
    log(`[etcd] Added etcd member ${node.name} (${peerUrl(node.address)}) as a learner`);
    self = added.member;
    members = added.members;
  }
  const initialCluster = members
    .map((m) => (m.id === self?.id ? `${node.name}=${peerUrl(node.address)}` : m.name ? `${m.name}=${m.peerURLs[0] ?? ''}` : ''))
    .filter((s) => s !== '')
    .join(',');
  const argv = etcdArgv(host, cluster, node, initialCluster, 'existing');
  log('[etcd] Announced new etcd member joining to the existing etcd cluster');
  log('[etcd] Creating static Pod manifest for "etcd"');
  writeManifest(host, argv);
  fs.mkdirSync(hostPath(host, cluster.etcdDataDir), { recursive: true, mode: 0o700 });
  await runner.start(ETCD_SERVICE, argv);
  log('[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s');
  const selfId = self.id;
  const promoted = await pollUntil(async () => {
    const current = (await client.memberList()).find((m) => m.id === selfId);
    if (current && !current.isLearner) return true;
    await client.memberPromote(selfId);
    return true;
  }, 40_000, 500);
  if (!promoted) throw new KubeadmError(`etcd learner ${node.name} could not be promoted within 40s; check ${runner.logFile(ETCD_SERVICE)}`, 'control-plane-join/etcd');
  log(`[etcd] Promoting the learner ${selfId} succeeded`);
  await waitHealthy(etcdClientFor(host, cluster, [clientUrl(node.address)]), 'local etcd', 30_000);
}

/** Removes this node's member from the cluster (kubeadm reset on a control plane that leaves a live cluster). */
export async function removeMember(client: EtcdClient, address: string, timeoutMs = 30_000): Promise<string | undefined> {
  const member = (await client.memberList()).find((m) => m.peerURLs.includes(peerUrl(address)));
  if (!member) return undefined;
  // Like member add, removal is refused ("unhealthy cluster") while a recent member is settling: retry as kubeadm does.
  let lastError: unknown;
  const removed = await pollUntil(async () => {
    try {
      await client.memberRemove(member.id);
      return true;
    } catch (err) {
      lastError = err;
      throw err;
    }
  }, timeoutMs, 1000);
  if (!removed) throw lastError instanceof Error ? lastError : new Error('etcd member remove timed out');
  return member.id;
}

/** The client URL kubeadm records for an etcd member. */
export const etcdClientUrl = clientUrl;
