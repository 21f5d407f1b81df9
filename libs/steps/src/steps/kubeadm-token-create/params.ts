import * as z from 'zod';
import { kubernetesVersionSchema } from '../common/params';
import { durationSchema } from '../common/kubeadm-params';

/** Parameters of `kubeadm.token-create` (secret bootstrapToken comes apart). */
export const kubeadmTokenCreateParams = z
  .object({
    kubernetesVersion: kubernetesVersionSchema,
    ttl: durationSchema.default('1h'),
    description: z.string().max(200).default('kumi join token'),
  })
  .strict();
export type KubeadmTokenCreateParams = z.infer<typeof kubeadmTokenCreateParams>;
