import * as z from 'zod';
import {
  DEFAULT_POD_CIDR,
  DEFAULT_SERVICE_CIDR,
  endpointSchema,
  ipv4CidrSchema,
  ipv4Schema,
  kubernetesVersionSchema,
  portSchema,
  runtimeSchema,
} from '../common/params';
import { durationSchema } from '../common/kubeadm-params';

/** Parameters of `kubeadm.init` (secrets bootstrapToken and certificateKey come apart). */
export const kubeadmInitParams = z
  .object({
    kubernetesVersion: kubernetesVersionSchema,
    /** The VIP and HAProxy port: every node and client reaches the API through it. */
    controlPlaneEndpoint: endpointSchema,
    /** This node's API server address; the host's default IPv4 when absent. */
    advertiseAddress: ipv4Schema.optional(),
    bindPort: portSchema.default(6443),
    podCidr: ipv4CidrSchema.default(DEFAULT_POD_CIDR),
    serviceCidr: ipv4CidrSchema.default(DEFAULT_SERVICE_CIDR),
    runtime: runtimeSchema.default('containerd'),
    /** The node name; the host name when absent. */
    nodeName: z.string().min(1).optional(),
    /** Lifetime of the minted bootstrap token. */
    tokenTtl: durationSchema.default('2h'),
    /** Extra names and addresses for the API server certificate. */
    certSans: z.array(z.string().min(1)).default([]),
    clusterName: z.string().min(1).default('kubernetes'),
  })
  .strict();
export type KubeadmInitParams = z.infer<typeof kubeadmInitParams>;
