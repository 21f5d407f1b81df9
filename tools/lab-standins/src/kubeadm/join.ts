import fs from 'node:fs';
import { ApiClient, statusMessage } from '../common/api-client';
import { type ParsedArgs, boolFlag, flag } from '../common/flags';
import { KubeApi } from '../common/kube-api';
import { serviceRunner } from '../common/service-runner';
import { adminApi, type KubeadmContext } from './cli-context';
import { createMirrorPods, etcdEndpoints, markControlPlane } from './cluster-objects';
import { clusterFromYaml, defaultAdvertiseAddress, loadKubeadmConfig, type ClusterConfig, type JoinConfig } from './config';
import { startApiServer, waitForApiServer } from './control-plane-phase';
import { discoverCluster, type DiscoveredCluster } from './discovery';
import { joinMember } from './etcd-phase';
import { checkMixedArguments } from './init';
import { KubeadmError } from './kubeadm-error';
import { startKubelet, waitForKubelet, writeKubeletFiles } from './kubelet-phase';
import { hostPath, KubePaths } from '../common/host-env';
import { loadKubeconfig } from '../common/kubeconfig';
import { CONTROL_PLANE_JOIN_DONE, WORKER_JOIN_DONE } from './output';
import { createKubeconfigs, createNodeCerts, pkiDir } from './pki-phase';
import { ignoredChecks, initNodeChecks, joinNodeChecks, reportPreflight } from './preflight';
import { tlsBootstrap } from './tls-bootstrap';
import { downloadCerts } from './upload-certs';
import { kubeletServerFor } from './features';
import { installedKubeadmVersion } from './version-cmd';

function joinFromFlags(args: ParsedArgs, hostname: string): JoinConfig {
  const endpoint = args.positionals[0];
  const token = flag(args, 'token') ?? flag(args, 'discovery-token');
  if (!endpoint || !token) throw new KubeadmError('discovery: Invalid value: "": bootstrapToken or file must be set; give --config FILE or "kubeadm join ENDPOINT --token TOKEN --discovery-token-ca-cert-hash sha256:..."');
  const controlPlane = boolFlag(args, 'control-plane');
  return {
    apiServerEndpoint: endpoint,
    token,
    caCertHashes: args.flags.get('discovery-token-ca-cert-hash') ?? [],
    unsafeSkipCAVerification: boolFlag(args, 'discovery-token-unsafe-skip-ca-verification'),
    discoveryTimeoutMs: 5 * 60_000,
    tlsBootstrapToken: flag(args, 'tls-bootstrap-token') ?? token,
    nodeName: flag(args, 'node-name') ?? hostname,
    criSocket: flag(args, 'cri-socket') ?? 'unix:///var/run/containerd/containerd.sock',
    ignorePreflightErrors: [],
    controlPlane: controlPlane ? { certificateKey: flag(args, 'certificate-key') ?? '', advertiseAddress: flag(args, 'apiserver-advertise-address') ?? defaultAdvertiseAddress(), bindPort: Number(flag(args, 'apiserver-bind-port') ?? 6443) } : undefined,
  };
}

async function readClusterConfiguration(cluster: DiscoveredCluster, token: string): Promise<ClusterConfig> {
  const client = new ApiClient({ server: cluster.server, caPem: cluster.caPem, token });
  const res = await client.request('GET', '/api/v1/namespaces/kube-system/configmaps/kubeadm-config');
  if (res.status !== 200) throw new KubeadmError(`unable to fetch the kubeadm-config ConfigMap: failed to get config map: ${statusMessage(res)}`, 'preflight');
  const text = ((res.body as { data?: Record<string, string> }).data ?? {}).ClusterConfiguration;
  if (!text) throw new KubeadmError('unexpected error when reading kubeadm-config ConfigMap: ClusterConfiguration key value pair missing', 'preflight');
  return clusterFromYaml(text);
}

/** `kubeadm join`: a worker, or with a controlPlane section a new control-plane instance. */
export async function runJoin(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  checkMixedArguments(args);
  const file = flag(args, 'config');
  let join: JoinConfig;
  if (file) {
    const config = loadKubeadmConfig(file, ctx.host.hostname);
    for (const w of config.warnings) ctx.err(`${w}\n`);
    if (!config.join) throw new KubeadmError(`no JoinConfiguration found in ${file}`);
    join = config.join;
  } else join = joinFromFlags(args, ctx.host.hostname);
  const log = (line: string): void => ctx.out(`${line}\n`);
  const ignored = ignoredChecks(args.flags.get('ignore-preflight-errors') ?? [], join.ignorePreflightErrors);
  const cp = join.controlPlane;
  const kubeadmVersion = installedKubeadmVersion();
  const nodeAddress = cp?.advertiseAddress ?? defaultAdvertiseAddress();

  log('[preflight] Running pre-flight checks');
  reportPreflight(await joinNodeChecks(ctx.host, { kubeadmVersion, criSocket: join.criSocket, nodeAddress, nodeName: join.nodeName, controlPlane: cp !== undefined, discoveryEndpoint: join.apiServerEndpoint }), ignored, ctx.err);
  let discovered: DiscoveredCluster;
  try {
    discovered = await discoverCluster(join);
  } catch (err) {
    throw new KubeadmError(`couldn't validate the identity of the API Server: ${(err as Error).message}`, 'preflight');
  }
  log('[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...');
  log("[preflight] Use 'kubeadm init phase upload-config kubeadm --config your-config-file' to re-upload it.");
  const cluster = await readClusterConfiguration(discovered, join.tlsBootstrapToken);

  if (!cp) {
    await tlsBootstrap(ctx.host, discovered, join.tlsBootstrapToken, join.nodeName).catch((err: unknown) => {
      // tlsBootstrap's messages already say which step failed (upload or signing).
      throw new KubeadmError((err as Error).message, 'kubelet-start');
    });
    // The worker's node IP: the default interface's address (kubelet's own choice).
    const nodeIp = defaultAdvertiseAddress();
    writeKubeletFiles(ctx.host, cluster, join.nodeName, nodeIp, join.criSocket, log);
    await startKubelet(ctx.host, serviceRunner(ctx.host), join.nodeName, nodeIp, log);
    await waitForKubelet(new KubeApi(new ApiClient(loadKubeconfig(hostPath(ctx.host, KubePaths.kubeletConf)))), join.nodeName, log);
    log('[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap');
    ctx.out(WORKER_JOIN_DONE);
    return;
  }

  if (!cluster.controlPlaneEndpoint) {
    throw new KubeadmError('unable to add a new control plane instance to a cluster that doesn\'t have a stable controlPlaneEndpoint address\n\nPlease ensure that:\n* The cluster has a stable controlPlaneEndpoint address.\n* The certificates that must be shared among control plane instances are provided.\n', 'preflight');
  }
  log('[preflight] Running pre-flight checks before initializing the new control plane instance');
  const node = { name: join.nodeName, address: cp.advertiseAddress };
  reportPreflight(await initNodeChecks(ctx.host, { kubeadmVersion, kubernetesVersion: cluster.kubernetesVersion, criSocket: join.criSocket, nodeAddress: node.address, nodeName: join.nodeName, bindPort: cp.bindPort, etcdDataDir: cluster.etcdDataDir, secondary: true, serviceSubnet: cluster.serviceSubnet, podSubnet: cluster.podSubnet }), ignored, ctx.err);
  const pki = pkiDir(ctx.host, cluster);
  const bootstrapApi = new KubeApi(new ApiClient({ server: discovered.server, caPem: discovered.caPem, token: join.tlsBootstrapToken }));
  if (!cp.certificateKey) {
    throw new KubeadmError('unable to add a new control plane instance: the certificate key is missing; give controlPlane.certificateKey (or --certificate-key) from `kubeadm init phase upload-certs --upload-certs`', 'control-plane-prepare/download-certs');
  }
  try {
    await downloadCerts(bootstrapApi, pki, cp.certificateKey, log);
  } catch (err) {
    fs.rmSync(pki, { recursive: true, force: true });
    throw new KubeadmError((err as Error).message, 'control-plane-prepare/download-certs');
  }
  // Certificates are checked by TLS stacks against the machine clock, never the lab clock.
  const now = new Date();
  await createNodeCerts(pki, cluster, node, now, log);
  const kubeletServer = kubeletServerFor(cluster.featureGates, kubeadmVersion, { address: node.address, bindPort: cp.bindPort }, cluster.controlPlaneEndpoint);
  await createKubeconfigs(ctx.host, pki, cluster, node, `https://${cluster.controlPlaneEndpoint}`, kubeletServer, false, now, log);
  const admin = adminApi(ctx, undefined, discovered.server);
  const runner = serviceRunner(ctx.host);
  try {
    await joinMember(ctx.host, runner, cluster, node, await etcdEndpoints(admin), log);
  } catch (err) {
    throw err instanceof KubeadmError ? err : new KubeadmError(`error creating local etcd static pod manifest file: ${(err as Error).message}`, 'control-plane-join/etcd');
  }
  await startApiServer(ctx.host, runner, cluster, node, cp.bindPort, log);
  writeKubeletFiles(ctx.host, cluster, node.name, node.address, join.criSocket, log);
  await startKubelet(ctx.host, runner, node.name, node.address, log);
  await waitForApiServer(ctx.host, runner, cluster, node, cp.bindPort, log);
  await markControlPlane(admin, node.name, log);
  await createMirrorPods(admin, ctx.host, node, cp.bindPort, ctx.now());
  ctx.out(CONTROL_PLANE_JOIN_DONE);
}
