import fs from 'node:fs';
import { type ParsedArgs, boolFlag } from '../common/flags';
import { hostPath, KubePaths } from '../common/host-env';
import { serviceRunner } from '../common/service-runner';
import { forgetStaticPod } from '../kubelet/static-pods';
import { resourceByRest } from '../common/resources';
import { adminApi, type KubeadmContext } from './cli-context';
import { APISERVER_SERVICE } from './control-plane-phase';
import { etcdClientFor, ETCD_SERVICE, removeMember } from './etcd-phase';
import { KubeadmError } from './kubeadm-error';
import { stopKubelet } from './kubelet-phase';
import { RESET_LEFTOVERS } from './output';
import { pkiDir } from './pki-phase';
import { etcdEndpoints } from './cluster-objects';
import { clusterFromYaml, type ClusterConfig } from './config';

const KUBECONFIG_FILES = ['admin.conf', 'super-admin.conf', 'kubelet.conf', 'bootstrap-kubelet.conf', 'controller-manager.conf', 'scheduler.conf'];

function clearDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir)) fs.rmSync(`${dir}/${entry}`, { recursive: true, force: true });
}

/** The node's own etcd peer address, read from its etcd manifest (undefined on workers). */
function localEtcdAddress(manifest: string): string | undefined {
  if (!fs.existsSync(manifest)) return undefined;
  return /--initial-advertise-peer-urls=https:\/\/([^:\s]+):2380/.exec(fs.readFileSync(manifest, 'utf8'))?.[1];
}

/**
 * `kubeadm reset`: removes this node's etcd member while the cluster lives on, stops the
 * control-plane services and the kubelet, and deletes what init/join wrote. Like kubeadm it
 * leaves /etc/cni/net.d, iptables/IPVS state and $HOME/.kube/config alone.
 */
export async function runReset(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  if (!boolFlag(args, 'force') && !boolFlag(args, 'f')) {
    throw new KubeadmError('[reset] Are you sure you want to proceed? [y/N]: the lab runs without a terminal; pass -f / --force to reset without prompting');
  }
  const log = (line: string): void => ctx.out(`${line}\n`);
  const host = ctx.host;
  log('[preflight] Running pre-flight checks');
  const runner = serviceRunner(host);
  const manifestDir = hostPath(host, KubePaths.manifestsDir);
  const etcdAddress = localEtcdAddress(`${manifestDir}/etcd.yaml`);
  let cluster: ClusterConfig | undefined;
  // kubeadm removes the member through the cluster's etcd endpoints, not only the local one
  // (kubernetes/kubernetes cmd/kubeadm/app/phases/etcd/local.go RemoveStackedEtcdMemberFromCluster →
  // etcdutil.NewFromCluster, which reads every etcd pod's advertise-client-urls annotation; v1.33).
  let clusterEndpoints: string[] = [];
  try {
    const api = adminApi(ctx);
    const cm = await api.find(resourceByRest('', 'configmaps'), 'kube-system', 'kubeadm-config');
    const text = (cm?.data as Record<string, string> | undefined)?.ClusterConfiguration;
    if (text) cluster = clusterFromYaml(text);
    clusterEndpoints = await etcdEndpoints(api);
  } catch {
    log('[reset] WARNING: Unable to fetch the kubeadm-config ConfigMap from cluster: the cluster is not reachable');
  }
  if (etcdAddress) {
    const pkiCluster = cluster ?? ({ certificatesDir: KubePaths.pkiDir } as ClusterConfig);
    const dir = pkiDir(host, pkiCluster);
    try {
      const client = etcdClientFor(host, pkiCluster, clusterEndpoints.length > 0 ? clusterEndpoints : [`https://${etcdAddress}:2379`]);
      const members = await client.memberList();
      if (members.length > 1) {
        const id = await removeMember(client, etcdAddress);
        if (id) log(`[reset] Removing member ${id} from the etcd cluster`);
      }
    } catch (err) {
      log(`[reset] Failed to remove etcd member: ${(err as Error).message}. Please manually remove this etcd member using etcdctl (certificates in ${dir})`);
    }
    // The kubelet goes first: it would restart the static pods from their manifests.
    await stopKubelet(host, runner);
    // Removing the containers also forgets which manifest version they ran (their pod UID label).
    for (const name of [APISERVER_SERVICE, ETCD_SERVICE]) {
      await runner.stop(name);
      forgetStaticPod(host, name);
    }
    const dataDir = hostPath(host, cluster?.etcdDataDir ?? KubePaths.etcdDataDir);
    clearDir(dataDir);
    log(`[reset] Deleted contents of the etcd data directory: ${cluster?.etcdDataDir ?? KubePaths.etcdDataDir}`);
  } else {
    log('[reset] No etcd config found. Assuming external etcd');
    log('[reset] Please, manually reset etcd to prevent further issues');
  }
  log('[reset] Stopping the kubelet service');
  await stopKubelet(host, runner);
  log(`[reset] Unmounting mounted directories in "${KubePaths.kubeletDir}"`);
  const dirs = [KubePaths.manifestsDir, KubePaths.kubeletDir, cluster?.certificatesDir ?? KubePaths.pkiDir];
  log(`[reset] Deleting contents of directories: [${dirs.join(' ')}]`);
  for (const d of dirs) clearDir(hostPath(host, d));
  const files = KUBECONFIG_FILES.map((f) => `/etc/kubernetes/${f}`);
  log(`[reset] Deleting files: [${files.join(' ')}]`);
  for (const f of files) fs.rmSync(hostPath(host, f), { force: true });
  ctx.out(RESET_LEFTOVERS);
}
