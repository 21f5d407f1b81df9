import * as z from 'zod';
import { endpointSchema, ipv4Schema, kubernetesVersionSchema, portSchema, runtimeSchema } from '../common/params';
import { caCertHashSchema } from '../common/kubeadm-params';

/**
 * Parameters of `kubeadm.join` (secret bootstrapToken, plus certificateKey for a
 * control plane, come apart).
 */
export const kubeadmJoinParams = z
  .object({
    role: z.enum(['control-plane', 'worker']),
    kubernetesVersion: kubernetesVersionSchema,
    controlPlaneEndpoint: endpointSchema,
    /** From kubeadm.init's `caCertHash` output. */
    caCertHashes: z.array(caCertHashSchema).min(1, 'give the CA hash from kubeadm.init'),
    /** Control planes: this node's API server address; the host's default IPv4 when absent. */
    advertiseAddress: ipv4Schema.optional(),
    bindPort: portSchema.default(6443),
    runtime: runtimeSchema.default('containerd'),
    nodeName: z.string().min(1).optional(),
  })
  .strict();
export type KubeadmJoinParams = z.infer<typeof kubeadmJoinParams>;
