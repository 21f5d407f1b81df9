import { noop } from '../../plan';
import { StepFailure } from '../../run-types';
import type { Step } from '../../step';
import { readClusterVersion } from './cluster-config';
import { type KubeadmUpgradeVersionFacts, readUpgradeVersions } from './kubeadm-upgrade-plan';
import { type KubeadmUpgradeParams, kubeadmUpgradeParams } from './params';

/** Outputs of kubeadm.upgrade-apply: the control plane's version after it (kubeadm-config's). */
export interface KubeadmUpgradeApplyOutputs {
  kubernetesVersion: string;
}

/**
 * `kubeadm upgrade apply vX.Y.Z --yes` on the first control plane: its static pods, the
 * kubeadm-config and kubelet-config ConfigMaps, kube-proxy and CoreDNS move to the
 * version (kubernetes/kubernetes cmd/kubeadm/app/cmd/upgrade/apply.go; --yes answers the
 * "Are you sure you want to proceed?" prompt). Done once kubeadm-config's
 * ClusterConfiguration says the version, which kubeadm uploads after the static pods.
 */
export const kubeadmUpgradeApply: Step<KubeadmUpgradeParams, KubeadmUpgradeVersionFacts, KubeadmUpgradeApplyOutputs> = {
  id: 'kubeadm.upgrade-apply',
  title: 'Upgrade the control plane with kubeadm upgrade apply',
  params: kubeadmUpgradeParams,

  async check(host, params) {
    const facts = await readUpgradeVersions(host, params, 'kubeadm.upgrade-apply');
    if (facts.clusterVersion !== params.version && facts.kubeadmVersion !== params.version) {
      throw new StepFailure(
        'CHECK_FAILED',
        `kubeadm on ${host.facts.hostName} is ${facts.kubeadmVersion}, and kubeadm upgrade apply v${params.version} needs kubeadm ${params.version}. Fix: upgrade the kubeadm package first (step kubernetes.packages with packages: [kubeadm]).`,
      );
    }
    return facts;
  },

  plan(facts, params) {
    if (facts.clusterVersion === params.version) return noop(`the cluster is at v${params.version} already (kubeadm-config)`);
    return {
      actions: [
        {
          kind: 'run',
          argv: ['kubeadm', 'upgrade', 'apply', `v${params.version}`, '--yes', '--kubeconfig', params.kubeconfig],
          why: `the control plane is at v${facts.clusterVersion}; move it to v${params.version}`,
        },
      ],
    };
  },

  async outputs(host, params) {
    return { kubernetesVersion: await readClusterVersion(host, params.kubeconfig, 'kubeadm.upgrade-apply') };
  },
};
