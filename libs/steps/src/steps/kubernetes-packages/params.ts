import * as z from 'zod';
import { kubernetesVersionSchema, runtimeSchema } from '../common/params';
import { K8S_PACKAGES } from './repository';

/** Parameters of `kubernetes.packages`. */
export const kubernetesPackagesParams = z
  .object({
    kubernetesVersion: kubernetesVersionSchema,
    /** The pkgs.k8s.io stable channel; the minor version and deb/rpm are appended. */
    repositoryBase: z.string().startsWith('https://', 'must be an https URL').default('https://pkgs.k8s.io/core:/stable:'),
    /** Pull the control-plane images now (`kubeadm config images pull`). */
    prePullImages: z.boolean().default(true),
    runtime: runtimeSchema.default('containerd'),
    /**
     * The packages this entry moves to the version (all three by default). An upgrade moves
     * kubeadm first and kubelet and kubectl after the node is drained, as the kubeadm
     * upgrade guide does (kubernetes/website content/en/docs/tasks/administer-cluster/kubeadm/kubeadm-upgrade.md).
     */
    packages: z
      .array(z.enum(K8S_PACKAGES))
      .min(1, 'name at least one of kubelet, kubeadm, kubectl')
      .default([...K8S_PACKAGES]),
    /**
     * Restart the kubelet (systemctl daemon-reload, then restart) until the one running is
     * the installed version: an upgraded kubelet package does not restart the running kubelet.
     */
    restartKubelet: z.boolean().default(false),
  })
  .strict();
export type KubernetesPackagesParams = z.infer<typeof kubernetesPackagesParams>;
