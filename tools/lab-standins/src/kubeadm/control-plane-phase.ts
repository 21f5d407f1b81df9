import fs from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../common/api-client';
import { type HostEnv, hostPath } from '../common/host-env';
import { standinArgv, type ServiceRunner } from '../common/service-runner';
import { pollUntil } from '../common/wait';
import type { ClusterConfig } from './config';
import { etcdClientUrl } from './etcd-phase';
import { KubeadmError } from './kubeadm-error';
import type { NodeIdentity } from './pki-phase';

/** Service name of the API server stand-in. */
export const APISERVER_SERVICE = 'kube-apiserver';

/** kube-apiserver's flags as in kubeadm's static pod manifest (the subset the stand-in reads). */
export function apiserverArgs(host: HostEnv, cluster: ClusterConfig, node: NodeIdentity, bindPort: number): string[] {
  const pki = hostPath(host, cluster.certificatesDir);
  return [
    `--advertise-address=${node.address}`,
    `--bind-address=${node.address}`,
    `--secure-port=${bindPort}`,
    `--client-ca-file=${pki}/ca.crt`,
    `--etcd-cafile=${pki}/etcd/ca.crt`,
    `--etcd-certfile=${pki}/apiserver-etcd-client.crt`,
    `--etcd-keyfile=${pki}/apiserver-etcd-client.key`,
    `--etcd-servers=${etcdClientUrl(node.address)}`,
    `--tls-cert-file=${pki}/apiserver.crt`,
    `--tls-private-key-file=${pki}/apiserver.key`,
    `--service-account-key-file=${pki}/sa.pub`,
    `--service-cluster-ip-range=${cluster.serviceSubnet}`,
    `--cluster-signing-cert-file=${pki}/ca.crt`,
    `--cluster-signing-key-file=${pki}/ca.key`,
    `--kubernetes-version=${cluster.kubernetesVersion}`,
  ];
}

/** Writes the kube-apiserver static Pod manifest and starts the API server stand-in. */
export async function startApiServer(host: HostEnv, runner: ServiceRunner, cluster: ClusterConfig, node: NodeIdentity, bindPort: number, log: (line: string) => void): Promise<void> {
  const args = apiserverArgs(host, cluster, node, bindPort);
  log('[control-plane] Using manifest folder "/etc/kubernetes/manifests"');
  log('[control-plane] Creating static Pod manifest for "kube-apiserver"');
  writeApiServerManifest(host, args, cluster.kubernetesVersion);
  log('[control-plane] Creating static Pod manifest for "kube-controller-manager"');
  log('[control-plane] Creating static Pod manifest for "kube-scheduler"');
  await runner.start(APISERVER_SERVICE, standinArgv('kube-apiserver', args));
}

/** Where kubeadm writes the kube-apiserver static Pod manifest. */
export const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

/**
 * The kube-apiserver static Pod manifest: the image of the version (kubeadm's
 * GetKubernetesImage, registry.k8s.io/kube-apiserver:vX.Y.Z) and the flags; the lab's API
 * server learns its version from --kubernetes-version (a lab-only flag: the real binary is
 * its version).
 */
export function apiServerManifest(args: readonly string[], kubernetesVersion: string): string {
  const command = ['kube-apiserver', ...args].map((a) => `    - ${a}`).join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    component: kube-apiserver\n    tier: control-plane\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n${command}\n    image: registry.k8s.io/kube-apiserver:${kubernetesVersion}\n    name: kube-apiserver\n  hostNetwork: true\n`;
}

/** Writes the kube-apiserver static Pod manifest (0600, as kubeadm writes it). */
export function writeApiServerManifest(host: HostEnv, args: readonly string[], kubernetesVersion: string): void {
  const manifest = hostPath(host, APISERVER_MANIFEST);
  fs.mkdirSync(path.dirname(manifest), { recursive: true });
  fs.writeFileSync(manifest, apiServerManifest(args, kubernetesVersion), { mode: 0o600 });
}

/** `[api-check]`: waits until the local API server answers /healthz with 200. */
export async function waitForApiServer(host: HostEnv, runner: ServiceRunner, cluster: ClusterConfig, node: NodeIdentity, bindPort: number, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  log('[api-check] Waiting for a healthy API server. This can take up to 4m0s');
  const client = new ApiClient({ server: `https://${node.address}:${bindPort}`, caPem: fs.readFileSync(`${hostPath(host, cluster.certificatesDir)}/ca.crt`, 'utf8') }, { timeoutMs: 2000 });
  const healthy = await pollUntil(async () => ((await client.request('GET', '/healthz')).status === 200 ? true : undefined), 60_000, 250);
  if (!healthy) throw new KubeadmError(`the API server at ${node.address}:${bindPort} did not become healthy; see ${runner.logFile(APISERVER_SERVICE)}`, 'wait-control-plane');
  log(`[api-check] The API server is healthy after ${((Date.now() - started) / 1000).toFixed(3)}s`);
}
