import fs from 'node:fs';
import { type ParsedArgs, boolFlag, flag } from '../common/flags';
import { hostPath, KubePaths } from '../common/host-env';
import { renderClusterInfoKubeconfig } from '../common/kubeconfig';
import { publicKeyPin } from '../common/pki';
import { serviceRunner } from '../common/service-runner';
import { createCertificateKey } from './certs-crypto';
import { adminApi, type KubeadmContext } from './cli-context';
import { applyAddons, createClusterInfo, createMirrorPods, markControlPlane, uploadConfig } from './cluster-objects';
import { DEFAULT_TOKEN_GROUP, DEFAULT_TOKEN_TTL_MS, INIT_TOKEN_DESCRIPTION, loadKubeadmConfig, type KubeadmConfigFile } from './config';
import { startApiServer, waitForApiServer } from './control-plane-phase';
import { startFirstMember } from './etcd-phase';
import { KubeadmError } from './kubeadm-error';
import { startKubelet, writeKubeletFiles } from './kubelet-phase';
import { initDoneText, joinCommand } from './output';
import { kubeletServerFor } from './features';
import { installedKubeadmVersion } from './version-cmd';
import { createKubeconfigs, createNodeCerts, createSharedCerts, pkiDir } from './pki-phase';
import { ignoredChecks, initNodeChecks, reportPreflight } from './preflight';
import { createToken } from './tokens';
import { uploadCerts } from './upload-certs';

/**
 * Flags kubeadm allows next to --config, besides every `--skip-*` flag: isAllowedFlag in
 * kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm/validation/validation.go (v1.31-v1.34).
 * Everything else (--certificate-key, --cri-socket, --patches, --token, ...) is refused.
 */
export const FLAGS_ALLOWED_WITH_CONFIG = new Set(['config', 'ignore-preflight-errors', 'dry-run', 'kubeconfig', 'node-name', 'kubeconfig-dir', 'upload-certs', 'print-join-command', 'rootfs', 'v', 'log-file']);

/**
 * kubeadm's ValidateMixedArguments: with --config, any other flag is an error naming them in
 * pflag's Visit order (sorted by name), printed as Go prints a []string.
 */
export function checkMixedArguments(args: ParsedArgs): void {
  if (!args.flags.has('config')) return;
  const mixed = [...args.flags.keys()].filter((f) => !FLAGS_ALLOWED_WITH_CONFIG.has(f) && !f.startsWith('skip-')).sort();
  if (mixed.length > 0) throw new KubeadmError(`can not mix '--config' with arguments [${mixed.join(' ')}]`);
}

function configFromFlags(args: ParsedArgs, hostname: string, ctx: KubeadmContext): KubeadmConfigFile {
  const file = flag(args, 'config');
  if (file) return loadKubeadmConfig(file, hostname);
  const tmp = hostPath(ctx.host, `/run/kubeadm-flags-${process.pid}.yaml`);
  const docs = [
    { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'InitConfiguration', localAPIEndpoint: { advertiseAddress: flag(args, 'apiserver-advertise-address'), bindPort: Number(flag(args, 'apiserver-bind-port') ?? 6443) }, nodeRegistration: { name: flag(args, 'node-name') ?? hostname, criSocket: flag(args, 'cri-socket') }, certificateKey: flag(args, 'certificate-key'), bootstrapTokens: [{ token: flag(args, 'token'), ttl: flag(args, 'token-ttl') ?? '24h0m0s' }] },
    { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', controlPlaneEndpoint: flag(args, 'control-plane-endpoint'), kubernetesVersion: flag(args, 'kubernetes-version'), networking: { podSubnet: flag(args, 'pod-network-cidr'), serviceSubnet: flag(args, 'service-cidr') } },
  ];
  fs.mkdirSync(hostPath(ctx.host, '/run'), { recursive: true });
  fs.writeFileSync(tmp, docs.map((d) => JSON.stringify(d)).join('\n---\n'), { mode: 0o600 });
  try {
    return loadKubeadmConfig(tmp, hostname);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** `kubeadm init`: a new control plane, first of its cluster. */
export async function runInit(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  checkMixedArguments(args);
  const config = configFromFlags(args, ctx.host.hostname, ctx);
  for (const w of config.warnings) ctx.err(`${w}\n`);
  const init = config.init ?? configFromFlags({ positionals: [], flags: new Map() }, ctx.host.hostname, ctx).init;
  if (!init) throw new KubeadmError('no InitConfiguration found');
  const cluster = config.cluster;
  const log = (line: string): void => ctx.out(`${line}\n`);
  const node = { name: init.nodeName, address: init.advertiseAddress };
  const ignored = ignoredChecks(args.flags.get('ignore-preflight-errors') ?? [], init.ignorePreflightErrors);
  const kubeadmVersion = installedKubeadmVersion();

  log(`[init] Using Kubernetes version: ${cluster.kubernetesVersion}`);
  log('[preflight] Running pre-flight checks');
  reportPreflight(await initNodeChecks(ctx.host, { kubeadmVersion, kubernetesVersion: cluster.kubernetesVersion, criSocket: init.criSocket, nodeAddress: node.address, nodeName: init.nodeName, bindPort: init.bindPort, etcdDataDir: cluster.etcdDataDir, secondary: false, serviceSubnet: cluster.serviceSubnet, podSubnet: cluster.podSubnet }), ignored, ctx.err);
  log('[preflight] Pulling images required for setting up a Kubernetes cluster');
  log('[preflight] This might take a minute or two, depending on the speed of your internet connection');
  log("[preflight] You can also perform this action beforehand using 'kubeadm config images pull'");

  // Certificates are checked by TLS stacks against the machine clock, never the lab clock.
  const now = new Date();
  const pki = pkiDir(ctx.host, cluster);
  await createSharedCerts(pki, cluster, now, log);
  await createNodeCerts(pki, cluster, node, now, log);
  const endpoint = cluster.controlPlaneEndpoint || `${node.address}:${init.bindPort}`;
  await createKubeconfigs(ctx.host, pki, cluster, node, `https://${endpoint}`, kubeletServerFor(cluster.featureGates, kubeadmVersion, { address: node.address, bindPort: init.bindPort }, endpoint), true, now, log);

  const runner = serviceRunner(ctx.host);
  await startFirstMember(ctx.host, runner, cluster, node, log);
  await startApiServer(ctx.host, runner, cluster, node, init.bindPort, log);
  writeKubeletFiles(ctx.host, cluster, node.name, node.address, init.criSocket, log);
  await startKubelet(ctx.host, runner, node.name, node.address, log);
  log('[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"');
  await waitForApiServer(ctx.host, runner, cluster, node, init.bindPort, log);

  const api = adminApi(ctx, undefined, `https://${node.address}:${init.bindPort}`);
  await uploadConfig(api, config.rawCluster, cluster, log);
  const upload = boolFlag(args, 'upload-certs');
  let certificateKey: string | undefined;
  if (upload) {
    certificateKey = init.certificateKey ?? createCertificateKey();
    await uploadCerts(api, pki, certificateKey, ctx.now(), log);
    if (!boolFlag(args, 'skip-certificate-key-print')) {
      log('[upload-certs] Using certificate key:');
      log(certificateKey);
    }
  } else {
    log('[upload-certs] Skipping phase. Please see --upload-certs');
  }
  await markControlPlane(api, node.name, log);
  await createMirrorPods(api, ctx.host, node, init.bindPort, ctx.now());
  const tokens: string[] = [];
  for (const spec of init.bootstrapTokens) {
    tokens.push(await createToken(api, { ...spec, description: spec.description || INIT_TOKEN_DESCRIPTION, groups: spec.groups.length ? spec.groups : [DEFAULT_TOKEN_GROUP], ttlMs: spec.ttlMs ?? DEFAULT_TOKEN_TTL_MS }, ctx.now()));
  }
  const token = tokens[0] ?? '';
  if (!boolFlag(args, 'skip-token-print')) {
    log(tokens.length === 1 ? `[bootstrap-token] Using token: ${token}` : `[bootstrap-token] Using tokens: [${tokens.join(' ')}]`);
  }
  log('[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles');
  log('[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes');
  log('[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials');
  log('[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token');
  log('[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster');
  const caPem = fs.readFileSync(`${pki}/ca.crt`, 'utf8');
  await createClusterInfo(api, renderClusterInfoKubeconfig(`https://${endpoint}`, caPem), log);
  log(`[kubelet-finalize] Updating "${KubePaths.kubeletConf}" to point to a rotatable kubelet client certificate and key`);
  await applyAddons(api, cluster, log);

  const hashes = [publicKeyPin(caPem)];
  const skipToken = boolFlag(args, 'skip-token-print');
  const shownToken = skipToken ? '<value withheld>' : token;
  const shownKey = boolFlag(args, 'skip-certificate-key-print') ? '<value withheld>' : certificateKey;
  ctx.out(`\n${initDoneText({
    controlPlaneJoin: joinCommand({ endpoint, token: shownToken, caCertHashes: hashes, controlPlane: true, certificateKey: shownKey }),
    workerJoin: joinCommand({ endpoint, token: shownToken, caCertHashes: hashes, controlPlane: false }),
    certificateKeyUploaded: upload,
    hasControlPlaneEndpoint: cluster.controlPlaneEndpoint !== '',
  })}`);
}
