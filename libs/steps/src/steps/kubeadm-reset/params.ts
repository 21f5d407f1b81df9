import * as z from 'zod';
import { DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR, ipv4CidrSchema, runtimeSchema } from '../common/params';

/** Parameters of `kubeadm.reset`: what to clean beyond `kubeadm reset -f`. */
export const kubeadmResetParams = z
  .object({
    runtime: runtimeSchema.default('containerd'),
    /** The CIDRs kumi put in firewalld's trusted zone, removed again. */
    podCidr: ipv4CidrSchema.default(DEFAULT_POD_CIDR),
    serviceCidr: ipv4CidrSchema.default(DEFAULT_SERVICE_CIDR),
    kubeconfigPath: z.string().startsWith('/', 'must be an absolute path').default('/root/.kube/config'),
  })
  .strict();
export type KubeadmResetParams = z.infer<typeof kubeadmResetParams>;
