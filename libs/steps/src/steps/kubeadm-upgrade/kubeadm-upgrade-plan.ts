import { noop } from '../../plan';
import type { Step } from '../../step';
import { requireControlPlane } from '../common/kubeadm-state';
import { readClusterVersion } from './cluster-config';
import { type KubeadmUpgradeParams, kubeadmUpgradeParams } from './params';

/** What kubeadm.upgrade-plan reads: the cluster's version (kubeadm-config) and this host's kubeadm. */
export interface KubeadmUpgradeVersionFacts {
  clusterVersion: string;
  kubeadmVersion: string;
}

/** Reads the cluster's and kubeadm's version on a control plane (CHECK_FAILED elsewhere). */
export async function readUpgradeVersions(host: Parameters<Step['check']>[0], params: KubeadmUpgradeParams, stepId: string): Promise<KubeadmUpgradeVersionFacts> {
  const state = await requireControlPlane(host, stepId);
  return { clusterVersion: await readClusterVersion(host, params.kubeconfig, stepId), kubeadmVersion: state.kubeadmVersion ?? 'unknown' };
}

/**
 * The upgrade gate: `kubeadm upgrade plan vX.Y.Z` on the first control plane. kubeadm
 * checks the cluster's health and its version skew policy (one minor at a time, kubeadm
 * not older than the target, kubelets not too old: kubernetes/kubernetes
 * cmd/kubeadm/app/phases/upgrade/policy.go EnforceVersionPolicies) and exits non-zero with
 * its reason, which fails the step before anything changes. The version argument skips
 * kubeadm's internet lookup of the latest release (cmd/kubeadm/app/cmd/upgrade/plan.go,
 * "To skip the internet check, pass in the optional [version] parameter"). A cluster
 * already at the version has nothing to plan.
 */
export const kubeadmUpgradePlan: Step<KubeadmUpgradeParams, KubeadmUpgradeVersionFacts> = {
  id: 'kubeadm.upgrade-plan',
  title: 'Gate: kubeadm upgrade plan accepts the target version',
  params: kubeadmUpgradeParams,

  check: (host, params) => readUpgradeVersions(host, params, 'kubeadm.upgrade-plan'),

  plan(facts, params) {
    if (facts.clusterVersion === params.version) return noop(`the cluster is at v${params.version} already (kubeadm-config)`);
    return {
      actions: [
        {
          kind: 'run',
          argv: ['kubeadm', 'upgrade', 'plan', `v${params.version}`, '--kubeconfig', params.kubeconfig],
          why: `kubeadm ${facts.kubeadmVersion} checks the cluster and its skew policy for v${facts.clusterVersion} → v${params.version}`,
        },
      ],
    };
  },
};
