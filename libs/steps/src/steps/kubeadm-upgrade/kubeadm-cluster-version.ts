import * as z from 'zod';
import { noop } from '../../plan';
import type { Step } from '../../step';
import { ADMIN_CONF, requireControlPlane } from '../common/kubeadm-state';
import { readClusterVersion } from './cluster-config';

/** Parameters of `kubeadm.cluster-version` (run on a control plane: it reads through admin.conf). */
export const kubeadmClusterVersionParams = z.object({ kubeconfig: z.string().startsWith('/', 'must be an absolute path').default(ADMIN_CONF) }).strict();
export type KubeadmClusterVersionParams = z.infer<typeof kubeadmClusterVersionParams>;

/** What kubeadm.cluster-version reads (and outputs). */
export interface KubeadmClusterVersionFacts {
  /** ClusterConfiguration kubernetesVersion of ConfigMap kube-system/kubeadm-config, without "v". */
  kubernetesVersion: string;
}

/**
 * Read-only: the version the cluster's control plane runs, as kubeadm records it (the
 * ConfigMap kube-system/kubeadm-config that `kubeadm upgrade` reads and moves; see
 * cluster-config.ts), so a workflow can compare it with the spec before changing anything
 * (kumi up refuses a spec whose version differs: that is kumi upgrade's work).
 */
export const kubeadmClusterVersion: Step<KubeadmClusterVersionParams, KubeadmClusterVersionFacts, KubeadmClusterVersionFacts> = {
  id: 'kubeadm.cluster-version',
  title: "Read the cluster's Kubernetes version (kubeadm-config)",
  params: kubeadmClusterVersionParams,

  async check(host, params) {
    await requireControlPlane(host, 'kubeadm.cluster-version');
    return { kubernetesVersion: await readClusterVersion(host, params.kubeconfig, 'kubeadm.cluster-version') };
  },

  plan(facts) {
    return noop(`read-only: the cluster runs Kubernetes v${facts.kubernetesVersion} (kubeadm-config)`);
  },

  async outputs(_host, _params, facts) {
    return { kubernetesVersion: facts.kubernetesVersion };
  },
};
