import { boolFlag, type ParsedArgs } from '../common/flags';
import { applyAddons, uploadConfig } from './cluster-objects';
import type { KubeadmContext } from './cli-context';
import { KubeadmError } from './kubeadm-error';
import { checkClusterHealth, fetchClusterConfig, upgradeApi, upgradeStaticPods, writeKubeletConfigFromCluster } from './upgrade-common';
import { enforceVersionPolicies, parseVersion, readClusterVersions } from './upgrade-versions';
import { installedKubeadmVersion } from './version-cmd';
import { nodeNameFromKubeletConfig } from './node-name';

/**
 * `kubeadm upgrade apply vX.Y.Z [--yes] [--force]` on a control plane (kubernetes/kubernetes
 * cmd/kubeadm/app/cmd/upgrade/apply.go and its phases): kubeadm-config read, cluster health
 * checked, the version skew policy enforced (policy.go; fatal errors always, the others
 * unless --force), the prompt answered by --yes (without it and without a terminal kubeadm
 * gives up), then this node's static pods upgraded, kubeadm-config and kubelet-config
 * uploaded with the new kubernetesVersion, this node's kubelet config rewritten, and the
 * kube-proxy and CoreDNS addons applied for the version.
 */
export async function runUpgradeApply(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const log = (line: string): void => ctx.out(`${line}\n`);
  const given = args.positionals[0];
  if (given === undefined) throw new KubeadmError('missing one or more required arguments: [version]');
  parseVersion(given);
  const target = given.startsWith('v') ? given : `v${given}`;
  const api = upgradeApi(args, ctx, false);
  const { raw, cluster } = await fetchClusterConfig(api, log);
  log('[upgrade/preflight] Running preflight checks');
  await checkClusterHealth(api, log);
  log(`[upgrade/preflight] You have chosen to upgrade the cluster version to "${target}"`);
  const versions = await readClusterVersions(api, installedKubeadmVersion());
  log(`[upgrade/versions] Cluster version: ${versions.cluster}`);
  log(`[upgrade/versions] kubeadm version: ${versions.kubeadm}`);
  enforceVersionPolicies(versions, target, boolFlag(args, 'force') || boolFlag(args, 'f'), log);
  if (!boolFlag(args, 'yes') && !boolFlag(args, 'y')) {
    ctx.out('[upgrade] Are you sure you want to proceed? [y/N]: ');
    throw new KubeadmError("won't proceed; the user didn't answer (Y|n) in order to continue");
  }
  const upgraded = { ...cluster, kubernetesVersion: target };
  log(`[upgrade/control-plane] Upgrading your static Pod-hosted control plane to version "${target}" (timeout: 5m0s)...`);
  await upgradeStaticPods(ctx, api, nodeNameFromKubeletConfig(ctx.host), target, log);
  log('[upgrade/control-plane] The control plane instance for this node was successfully upgraded!');
  await uploadConfig(api, { ...raw, kubernetesVersion: target }, upgraded, log);
  await writeKubeletConfigFromCluster(api, ctx, log);
  log('[upgrade/bootstrap-token] Configuring bootstrap token and cluster-info RBAC rules');
  await applyAddons(api, upgraded, log);
  log('');
  log(`[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "${target}".`);
  log('');
  log('[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order.');
}
