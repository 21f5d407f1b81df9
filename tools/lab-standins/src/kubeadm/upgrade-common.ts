import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ApiClient } from '../common/api-client';
import { type ParsedArgs, flag } from '../common/flags';
import { argPath, hostPath, KubePaths } from '../common/host-env';
import type { KubeApi } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { pollUntil } from '../common/wait';
import { adminApi, type KubeadmContext } from './cli-context';
import { clusterFromYaml, type ClusterConfig } from './config';
import { APISERVER_MANIFEST, APISERVER_SERVICE, apiServerManifest } from './control-plane-phase';
import { KubeadmError } from './kubeadm-error';

const CONFIGMAPS = resourceByRest('', 'configmaps');
const NODES = resourceByRest('', 'nodes');
const PODS = resourceByRest('', 'pods');
const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

/** The cluster's ClusterConfiguration from kubeadm-config, as kubeadm upgrade reads it (FetchInitConfigurationFromCluster). */
export interface ClusterFromCluster {
  raw: Record<string, unknown>;
  cluster: ClusterConfig;
}

/**
 * The API as `kubeadm upgrade` talks to it: --kubeconfig, by default admin.conf; `upgrade
 * node` falls back to kubelet.conf where admin.conf is missing (a worker;
 * cmd/kubeadm/app/cmd/upgrade/node.go newNodeData).
 */
export function upgradeApi(args: ParsedArgs, ctx: KubeadmContext, fallBackToKubelet: boolean): KubeApi {
  const given = flag(args, 'kubeconfig');
  if (given) return adminApi(ctx, argPath(ctx.host, given));
  const admin = hostPath(ctx.host, KubePaths.adminConf);
  return adminApi(ctx, fallBackToKubelet && !fs.existsSync(admin) ? hostPath(ctx.host, KubePaths.kubeletConf) : admin);
}

/** `[upgrade/config]`: the ClusterConfiguration of ConfigMap kube-system/kubeadm-config (cmd/kubeadm/app/cmd/upgrade/common.go enforceRequirements). */
export async function fetchClusterConfig(api: KubeApi, log: (line: string) => void): Promise<ClusterFromCluster> {
  log('[upgrade/config] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...');
  log("[upgrade/config] Use 'kubeadm init phase upload-config kubeadm --config your-config-file' to re-upload it.");
  const configMap = await api.find(CONFIGMAPS, 'kube-system', 'kubeadm-config');
  const text = (configMap?.data as Record<string, string> | undefined)?.ClusterConfiguration;
  if (text === undefined) {
    log('[upgrade/config] In order to upgrade, a ConfigMap called "kubeadm-config" in the "kube-system" namespace must exist.');
    throw new KubeadmError('[upgrade/init config] FATAL: the ConfigMap "kubeadm-config" in the "kube-system" namespace was not found');
  }
  return { raw: (YAML.parse(text) ?? {}) as Record<string, unknown>, cluster: clusterFromYaml(text) };
}

/**
 * `[upgrade] Running cluster health checks` (cmd/kubeadm/app/phases/upgrade/health.go
 * CheckClusterHealth): every control-plane Node Ready (ControlPlaneNodesReady), as
 * preflight errors. The health-check Job kubeadm also creates is left out in the lab.
 */
export async function checkClusterHealth(api: KubeApi, log: (line: string) => void): Promise<void> {
  log('[upgrade] Running cluster health checks');
  const controlPlanes = await controlPlaneNodes(api);
  const notReady = controlPlanes
    .filter((node) => !((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((node) => node.metadata?.name ?? '');
  if (notReady.length > 0) {
    throw new KubeadmError(
      `[upgrade/health] FATAL: [preflight] Some fatal errors occurred:\n\t[ERROR ControlPlaneNodesReady]: there are NotReady control-planes in the cluster: [${notReady.join(' ')}]\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``,
    );
  }
}

/** The Nodes labelled node-role.kubernetes.io/control-plane (kubeadm's label selector, evaluated here too). */
export async function controlPlaneNodes(api: KubeApi): Promise<KubeObject[]> {
  const nodes = await api.list(NODES, undefined, `?labelSelector=${encodeURIComponent(CONTROL_PLANE_LABEL)}`);
  return nodes.filter((node) => node.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined);
}

/** Go's time layout "2006-01-02-15-04-05", as kubeadm names its backup folders. */
function backupStamp(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
}

/** kubeadm's UpgradeManifestTimeout (5 min; v1beta4 UpgradeConfiguration timeouts.upgradeManifests); KUMI_STANDIN_UPGRADE_TIMEOUT_MS shortens it for loopback tests. */
function upgradeManifestTimeoutMs(): number {
  const given = Number(process.env.KUMI_STANDIN_UPGRADE_TIMEOUT_MS);
  return Number.isInteger(given) && given > 0 ? given : 300_000;
}

/** The mirror pod's kubernetes.io/config.hash, as kubeadm's waiter reads it (apiclient/wait.go getStaticPodSingleHash); undefined while unreadable. */
async function mirrorPodHash(api: KubeApi, component: string, nodeName: string): Promise<string | undefined> {
  const pod = await api.find(PODS, 'kube-system', `${component}-${nodeName}`).catch(() => undefined);
  return pod?.metadata?.annotations?.['kubernetes.io/config.hash'];
}

/**
 * The static-pod part of `kubeadm upgrade apply|node` on a control plane
 * (kubernetes/kubernetes cmd/kubeadm/app/phases/upgrade/staticpods.go StaticPodControlPlane,
 * upgradeComponent, rollbackOldManifests; v1.28-v1.34): the mirror pod's config hash is read
 * first, the new kube-apiserver manifest written to a temporary folder, skipped when equal,
 * else the old manifest moved to a backup folder and the new one into
 * /etc/kubernetes/manifests. Then kubeadm only waits: for the mirror pod's
 * `kubernetes.io/config.hash` to change (the kubelet restarted the pod) and for the component
 * to answer at the new version. Either wait timing out puts the backed-up manifest back (the
 * kubelet then restarts the old pod) and fails. kubeadm restarts nothing itself.
 * Lab differences: etcd (the host's Debian etcd) is left as if at the target version, and
 * the controller-manager and scheduler have no manifests to upgrade.
 */
export async function upgradeStaticPods(ctx: KubeadmContext, api: KubeApi, nodeName: string, version: string, log: (line: string) => void): Promise<void> {
  const component = APISERVER_SERVICE;
  const timeoutMs = upgradeManifestTimeoutMs();
  const beforeHash = await pollUntil(() => mirrorPodHash(api, component, nodeName), timeoutMs, 500);
  if (beforeHash === undefined) throw new KubeadmError(`[upgrade/apply] FATAL: failed to obtain static Pod hash for component ${component} on Node ${nodeName}: timed out waiting for the condition`);
  const file = hostPath(ctx.host, APISERVER_MANIFEST);
  const current = fs.readFileSync(file, 'utf8');
  const pod = YAML.parse(current) as { spec?: { containers?: { command?: string[] }[] } };
  const args = (pod.spec?.containers?.[0]?.command ?? []).slice(1).map((arg) => (arg.startsWith('--kubernetes-version=') ? `--kubernetes-version=${version}` : arg));
  const next = apiServerManifest(args, version);
  const stamp = backupStamp(ctx.now());
  const tempDir = `/etc/kubernetes/tmp/kubeadm-upgraded-manifests${stamp.replace(/-/g, '')}`;
  fs.mkdirSync(hostPath(ctx.host, tempDir), { recursive: true });
  fs.writeFileSync(hostPath(ctx.host, `${tempDir}/${component}.yaml`), next, { mode: 0o600 });
  log(`[upgrade/staticpods] Writing new Static Pod manifests to "${tempDir}"`);
  log(`[upgrade/staticpods] Preparing for "${component}" upgrade`);
  if (next === current) {
    log(`[upgrade/staticpods] Current and new manifests of ${component} are equal, skipping upgrade`);
    fs.rmSync(hostPath(ctx.host, tempDir), { recursive: true, force: true });
    return;
  }
  const backup = `/etc/kubernetes/tmp/kubeadm-backup-manifests-${stamp}/${component}.yaml`;
  fs.mkdirSync(path.dirname(hostPath(ctx.host, backup)), { recursive: true });
  fs.renameSync(file, hostPath(ctx.host, backup));
  fs.renameSync(hostPath(ctx.host, `${tempDir}/${component}.yaml`), file);
  log(`[upgrade/staticpods] Moving new manifest to "${APISERVER_MANIFEST}" and backing up old manifest to "${backup}"`);
  log('[upgrade/staticpods] Waiting for the kubelet to restart the component');
  log(`[upgrade/staticpods] This can take up to ${Math.round(timeoutMs / 60_000) >= 1 ? `${Math.round(timeoutMs / 60_000)}m0s` : `${Math.round(timeoutMs / 1000)}s`}`);
  const started = Date.now();
  const remaining = (): number => Math.max(0, timeoutMs - (Date.now() - started));
  const rollback = (reason: string): KubeadmError => {
    fs.renameSync(hostPath(ctx.host, backup), file);
    return new KubeadmError(`[upgrade/apply] FATAL: couldn't upgrade control plane. kubeadm has tried to recover everything into the earlier state. Errors faced: ${reason}`);
  };
  // Without this wait kubeadm could see the OLD pod answer before the kubelet noticed the file (staticpods.go).
  const changed = await pollUntil(async () => {
    const hash = await mirrorPodHash(api, component, nodeName);
    return hash !== undefined && hash !== beforeHash ? hash : undefined;
  }, remaining(), 500);
  if (changed === undefined) throw rollback(`static Pod hash for component ${component} on Node ${nodeName} did not change after ${Math.round(timeoutMs / 1000)}s: timed out waiting for the condition`);
  const value = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const caFile = value('client-ca-file') ?? `${hostPath(ctx.host, KubePaths.pkiDir)}/ca.crt`;
  const client = new ApiClient({ server: `https://${value('advertise-address') ?? '127.0.0.1'}:${value('secure-port') ?? '6443'}`, caPem: fs.readFileSync(caFile, 'utf8') }, { timeoutMs: 2000 });
  const answered = await pollUntil(async () => {
    const res = await client.request('GET', '/version').catch(() => undefined);
    return res?.status === 200 && (res.body as { gitVersion?: string }).gitVersion === version ? true : undefined;
  }, Math.max(remaining(), 1000), 250);
  if (!answered) throw rollback(`${component} did not come back at ${version}: timed out waiting for the condition`);
  fs.rmSync(hostPath(ctx.host, tempDir), { recursive: true, force: true });
  log(`[apiclient] Found 1 Pods for label selector component=${component}`);
  log(`[upgrade/staticpods] Component "${component}" upgraded successfully!`);
}

/**
 * `[upgrade/kubelet-config]`: the kubelet-config ConfigMap's KubeletConfiguration written to
 * /var/lib/kubelet/config.yaml, the old file backed up (cmd/kubeadm/app/phases/upgrade/postupgrade.go
 * WriteKubeletConfigFiles).
 */
export async function writeKubeletConfigFromCluster(api: KubeApi, ctx: KubeadmContext, log: (line: string) => void): Promise<void> {
  const configMap = await api.find(CONFIGMAPS, 'kube-system', 'kubelet-config');
  const text = (configMap?.data as Record<string, string> | undefined)?.kubelet;
  if (text === undefined) throw new KubeadmError('[upgrade/kubelet-config] FATAL: the ConfigMap "kubelet-config" in the "kube-system" namespace was not found');
  const file = hostPath(ctx.host, KubePaths.kubeletConfig);
  const backupDir = `/etc/kubernetes/tmp/kubeadm-kubelet-config-${backupStamp(ctx.now())}`;
  if (fs.existsSync(file)) {
    fs.mkdirSync(hostPath(ctx.host, backupDir), { recursive: true });
    fs.copyFileSync(file, hostPath(ctx.host, `${backupDir}/config.yaml`));
    log(`[upgrade] Backing up kubelet config file to ${backupDir}/config.yaml`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  log(`[kubelet-start] Writing kubelet configuration to file "${KubePaths.kubeletConfig}"`);
  log('[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!');
}
