import fs from 'node:fs';
import type { ParsedArgs } from '../common/flags';
import { hostPath } from '../common/host-env';
import type { KubeadmContext } from './cli-context';
import { nodeNameFromKubeletConfig } from './node-name';
import { APISERVER_MANIFEST } from './control-plane-phase';
import { fetchClusterConfig, upgradeApi, upgradeStaticPods, writeKubeletConfigFromCluster } from './upgrade-common';

/**
 * `kubeadm upgrade node` (kubernetes/kubernetes cmd/kubeadm/app/cmd/upgrade/node.go, phases
 * preflight, control-plane, kubelet-config): with admin.conf, else the kubelet's
 * kubelet.conf (a worker), it reads kubeadm-config; a control plane (it has the
 * kube-apiserver manifest) moves its static pods to kubeadm-config's kubernetesVersion;
 * every node gets /var/lib/kubelet/config.yaml from the kubelet-config ConfigMap.
 */
export async function runUpgradeNode(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const log = (line: string): void => ctx.out(`${line}\n`);
  const api = upgradeApi(args, ctx, true);
  const { cluster } = await fetchClusterConfig(api, log);
  log('[preflight] Running pre-flight checks');
  const controlPlane = fs.existsSync(hostPath(ctx.host, APISERVER_MANIFEST));
  if (controlPlane) {
    log(`[upgrade/control-plane] Upgrading your Static Pod-hosted control plane instance to version "${cluster.kubernetesVersion}"...`);
    await upgradeStaticPods(ctx, api, nodeNameFromKubeletConfig(ctx.host), cluster.kubernetesVersion, log);
    log('[upgrade/control-plane] The control plane instance for this node was successfully upgraded!');
  } else {
    log('[preflight] Skipping prepull. Not a control plane node.');
    log('[upgrade/control-plane] Skipping phase. Not a control plane node.');
  }
  await writeKubeletConfigFromCluster(api, ctx, log);
  log('[upgrade] The configuration for this node was successfully upgraded!');
  log('[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.');
}
