import * as z from 'zod';
import { endpointSchema } from '../common/params';
import { ADMIN_CONF } from '../common/kubeadm-state';

/**
 * Parameters of `drill`, run on control plane 1. "stop" stops the kubelet and the static
 * pods, watches the API through the VIP, verifies and brings the node back. "poweroff"
 * schedules a power-off a few seconds after the step returns; the coordinator then runs
 * `verify` (with tolerateDown) from another control plane.
 */
export const drillParams = z
  .object({
    endpoint: endpointSchema,
    mode: z.enum(['stop', 'poweroff']).default('stop'),
    kubeconfig: z.string().startsWith('/').default(ADMIN_CONF),
    /** How long the API is watched through the VIP while this node is down. */
    observeMs: z.number().int().positive().max(600_000).default(30_000),
    /** How long to wait for this node's API server to stop, and to come back. */
    timeoutMs: z.number().int().positive().max(1_800_000).default(180_000),
    /** "poweroff": seconds between the step's end and the power-off. */
    poweroffDelaySeconds: z.number().int().min(1).max(600).default(5),
  })
  .strict();
export type DrillParams = z.infer<typeof drillParams>;
