import { parse } from 'yaml';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { Step } from '../../step';
import { ADMIN_CONF, KUBELET_CONF, readKubeadmState, requireKubeadm } from '../common/kubeadm-state';
import { CONTROL_PLANE_MANIFESTS, KUBELET_CONFIG_FILE, manifestImageVersion, readClusterKubeletConfig, readClusterVersion, sameYamlData } from './cluster-config';
import { type KubeadmUpgradeNodeParams, kubeadmUpgradeNodeParams } from './params';

/** What kubeadm.upgrade-node reads. */
export interface KubeadmUpgradeNodeFacts {
  /** Image version of each control-plane static pod manifest present (none on a worker). */
  manifests: Record<string, string | undefined>;
  /** /var/lib/kubelet/config.yaml holds the cluster's kubelet-config. */
  kubeletConfigCurrent: boolean;
}

/**
 * `kubeadm upgrade node` on a joined node: on a control plane (it has the kube-apiserver
 * manifest) its static pods move to kubeadm-config's version; on every node the kubelet's
 * config.yaml is rewritten from the kubelet-config ConfigMap (kubernetes/kubernetes
 * cmd/kubeadm/app/cmd/upgrade/node.go, phases preflight, control-plane, kubelet-config).
 * Its own idempotency is what this step checks: kubeadm skips a component whose current
 * and new manifests are equal (cmd/kubeadm/app/phases/upgrade/staticpods.go "Current and
 * new manifests of %s are equal, skipping upgrade"), so the node is done when every
 * manifest names the version and config.yaml holds kubelet-config's data.
 */
export const kubeadmUpgradeNode: Step<KubeadmUpgradeNodeParams, KubeadmUpgradeNodeFacts> = {
  id: 'kubeadm.upgrade-node',
  title: "Upgrade this node's control-plane pods and kubelet config with kubeadm upgrade node",
  params: kubeadmUpgradeNodeParams,

  async check(host, params) {
    const state = await readKubeadmState(host);
    requireKubeadm(state, 'kubeadm.upgrade-node');
    if (!state.kubeletConf) throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} has not joined a cluster (no ${KUBELET_CONF}), so kubeadm upgrade node has nothing to upgrade. Fix: run it on a joined node.`);
    // kubeadm reads the cluster with admin.conf on a control plane and the kubelet's credentials on a worker.
    const kubeconfig = state.adminConf ? ADMIN_CONF : KUBELET_CONF;
    const clusterVersion = await readClusterVersion(host, kubeconfig, 'kubeadm.upgrade-node');
    if (clusterVersion !== params.version) {
      throw new StepFailure(
        'CHECK_FAILED',
        `the cluster is at v${clusterVersion} (kubeadm-config), not v${params.version}: kubeadm upgrade node follows the cluster's version. Fix: run kubeadm upgrade apply v${params.version} on the first control plane first (kumi upgrade does).`,
      );
    }
    const manifests: Record<string, string | undefined> = {};
    for (const path of CONTROL_PLANE_MANIFESTS) {
      const text = await host.readFile(path);
      if (text !== undefined) manifests[path] = manifestImageVersion(text);
    }
    const local = await host.readFile(KUBELET_CONFIG_FILE);
    const wanted = await readClusterKubeletConfig(host, kubeconfig, 'kubeadm.upgrade-node');
    return { manifests, kubeletConfigCurrent: local !== undefined && sameYamlData(parse(local), wanted) };
  },

  plan(facts, params) {
    const behind = Object.entries(facts.manifests).filter(([, version]) => version !== params.version);
    const needed = behind.length > 0 || !facts.kubeletConfigCurrent;
    // The same reason whatever is behind, so a plan reads the same on every host; the facts say which.
    const actions = needed ? [{ kind: 'run' as const, argv: ['kubeadm', 'upgrade', 'node'], why: `move this node's static pods and kubelet config to the cluster's v${params.version}` }] : [];
    const what = Object.keys(facts.manifests).length > 0 ? `control-plane manifests at v${params.version} and ` : '';
    return planOf(actions, `${what}${KUBELET_CONFIG_FILE} matches the cluster's kubelet-config`);
  },
};
