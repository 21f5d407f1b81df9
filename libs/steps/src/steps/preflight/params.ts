import * as z from 'zod';
import { kubernetesVersionSchema, portSchema, roleSchema, runtimeSchema } from '../common/params';

/** Identity facts of another host of the cluster, to prove this host's are unique. */
export const peerIdentitySchema = z
  .object({
    hostName: z.string().min(1),
    macs: z.array(z.string()).default([]),
    productUuid: z.string().default(''),
  })
  .strict();

/** Parameters of `preflight`: what this host is for, and the cluster's other hosts. */
export const preflightParams = z
  .object({
    roles: z.array(roleSchema).min(1, 'give at least one role: control-plane, worker or load-balancer'),
    kubernetesVersion: kubernetesVersionSchema,
    runtime: runtimeSchema.default('containerd'),
    /** HAProxy's frontend port on load balancers. */
    lbFrontendPort: portSchema.default(6443),
    /** The other hosts' identities (from their facts; not this host's) for the uniqueness checks. */
    peers: z.array(peerIdentitySchema).default([]),
    /** Check names whose errors become warnings, like kubeadm's --ignore-preflight-errors. */
    ignore: z.array(z.string()).default([]),
  })
  .strict();
export type PreflightParams = z.infer<typeof preflightParams>;
