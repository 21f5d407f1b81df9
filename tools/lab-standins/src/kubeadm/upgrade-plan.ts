import fs from 'node:fs';
import type { ParsedArgs } from '../common/flags';
import { hostPath } from '../common/host-env';
import type { KubeadmContext } from './cli-context';
import { APISERVER_MANIFEST } from './control-plane-phase';
import { imagesFor } from './images';
import { checkClusterHealth, controlPlaneNodes, fetchClusterConfig, upgradeApi } from './upgrade-common';
import { compareVersions, parseVersion, readClusterVersions, tabwrite } from './upgrade-versions';
import { installedKubeadmVersion } from './version-cmd';
const SEPARATOR = '_____________________________________________________________________\n\n';

/** The pinned tag of an image kubeadm deploys for a version ("coredns" → "v1.12.0"). */
function pinnedTag(version: string, image: 'coredns' | 'etcd'): string {
  return imagesFor(version).find((ref) => ref.includes(`/${image}:`))?.split(':').pop() ?? '';
}

/**
 * `kubeadm upgrade plan [version]` (kubernetes/kubernetes cmd/kubeadm/app/cmd/upgrade/plan.go
 * runPlan, cmd/kubeadm/app/phases/upgrade/compute.go GetAvailableUpgrades): reads
 * kubeadm-config, checks the cluster's health (a failure exits 1 with the reason), prints the
 * versions and, when the cluster is behind the target, the kubelet table, the control-plane
 * table and the `kubeadm upgrade apply` command, then the component config table. With a
 * version argument kubeadm looks nothing up online (an OfflineVersionGetter answers every
 * release label with it), so the upgrade shows as "the latest version in the vX.Y series" of
 * the cluster's minor. The plan enforces no skew policy: `kubeadm upgrade apply` does.
 */
export async function runUpgradePlan(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const log = (line: string): void => ctx.out(`${line}\n`);
  const api = upgradeApi(args, ctx, false);
  log('[preflight] Running pre-flight checks.');
  await fetchClusterConfig(api, log);
  await checkClusterHealth(api, log);
  log('[upgrade] Fetching available versions to upgrade to');
  const kubeadm = installedKubeadmVersion();
  const versions = await readClusterVersions(api, kubeadm);
  log(`[upgrade/versions] Cluster version: ${versions.cluster}`);
  log(`[upgrade/versions] kubeadm version: ${kubeadm}`);
  const given = args.positionals[0];
  let target = kubeadm;
  if (given === undefined) {
    ctx.err('W[upgrade/versions] WARNING: could not fetch a Kubernetes version from the internet: unable to get URL "https://dl.k8s.io/release/stable.txt"\n');
    ctx.err('W[upgrade/versions] WARNING: Falling back to current kubeadm version as latest stable version\n');
  } else {
    parseVersion(given);
    target = given.startsWith('v') ? given : `v${given}`;
    log(`[upgrade/versions] Target version: ${target}`);
  }
  const [, clusterMinor] = parseVersion(versions.cluster);
  const series = `${parseVersion(versions.cluster)[0]}.${clusterMinor}`;
  if (compareVersions(target, versions.cluster) >= 0) log(`[upgrade/versions] Latest version in the v${series} series: ${target}`);
  log('');
  if (compareVersions(versions.cluster, target) >= 0) return;

  const controlPlanes = (await controlPlaneNodes(api)).map((node) => node.metadata?.name ?? '').sort();
  const kubeletRows = [...versions.kubelets.keys()].sort().flatMap((version) => (versions.kubelets.get(version) ?? []).sort().map((node) => ['kubelet', node, version, target]));
  const perControlPlane = (component: string, current: string, next: string) => controlPlanes.map((node) => [component, node, current, next]);
  const controlPlaneRows = [
    ...perControlPlane('kube-apiserver', versions.cluster, target),
    ...perControlPlane('kube-controller-manager', versions.cluster, target),
    ...perControlPlane('kube-scheduler', versions.cluster, target),
    ['kube-proxy', '', versions.cluster, target],
    ['CoreDNS', '', pinnedTag(versions.cluster, 'coredns'), pinnedTag(target, 'coredns')],
    ...(fs.existsSync(hostPath(ctx.host, APISERVER_MANIFEST)) ? perControlPlane('etcd', pinnedTag(versions.cluster, 'etcd'), pinnedTag(target, 'etcd')) : []),
  ];
  const header = ['COMPONENT', 'NODE', 'CURRENT', 'TARGET'];
  ctx.out("Components that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':\n");
  ctx.out(tabwrite([header, ...kubeletRows]));
  ctx.out(`\nUpgrade to the latest version in the v${series} series:\n\n`);
  ctx.out(tabwrite([header, ...controlPlaneRows]));
  ctx.out(`\nYou can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply ${target}\n\n`);
  if (compareVersions(kubeadm, target) < 0) ctx.out(`Note: Before you can perform this upgrade, you have to update kubeadm to ${target}.\n\n`);
  ctx.out(SEPARATOR);
  ctx.out(
    '\nThe table below shows the current state of component configs as understood by this version of kubeadm.\nConfigs that have a "yes" mark in the "MANUAL UPGRADE REQUIRED" column require manual config upgrade or\nresetting to kubeadm defaults before a successful upgrade can be performed. The version to manually\nupgrade to is denoted in the "PREFERRED VERSION" column.\n\n',
  );
  ctx.out(tabwrite([['API GROUP', 'CURRENT VERSION', 'PREFERRED VERSION', 'MANUAL UPGRADE REQUIRED'], ['kubeproxy.config.k8s.io', 'v1alpha1', 'v1alpha1', 'no'], ['kubelet.config.k8s.io', 'v1beta1', 'v1beta1', 'no']]));
  ctx.out(SEPARATOR);
}
