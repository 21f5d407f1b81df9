import * as z from 'zod';
import { kubernetesVersionSchema } from '../common/params';
import { ADMIN_CONF } from '../common/kubeadm-state';

/** Parameters of `kubeadm.upgrade-plan` and `kubeadm.upgrade-apply`: the version the control plane moves to. */
export const kubeadmUpgradeParams = z
  .object({
    version: kubernetesVersionSchema,
    /** The kubeconfig kubeadm upgrade (and the step's cluster read) uses: admin.conf, kubeadm's default. */
    kubeconfig: z.string().startsWith('/', 'must be an absolute path').default(ADMIN_CONF),
  })
  .strict();
export type KubeadmUpgradeParams = z.infer<typeof kubeadmUpgradeParams>;

/** Parameters of `kubeadm.upgrade-node`: the version the cluster was upgraded to (kubeadm-config's). */
export const kubeadmUpgradeNodeParams = z
  .object({
    version: kubernetesVersionSchema,
  })
  .strict();
export type KubeadmUpgradeNodeParams = z.infer<typeof kubeadmUpgradeNodeParams>;
