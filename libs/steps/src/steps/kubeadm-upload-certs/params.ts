import * as z from 'zod';
import { kubernetesVersionSchema } from '../common/params';
import { durationSchema } from '../common/kubeadm-params';

/** Parameters of `kubeadm.upload-certs` (secret certificateKey comes apart). */
export const kubeadmUploadCertsParams = z
  .object({
    kubernetesVersion: kubernetesVersionSchema,
    /** Re-upload when the uploaded certificates expire within this time. */
    renewBefore: durationSchema.default('30m'),
  })
  .strict();
export type KubeadmUploadCertsParams = z.infer<typeof kubeadmUploadCertsParams>;
