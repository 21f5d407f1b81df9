import * as z from 'zod';
import { endpointSchema } from '../common/params';
import { ADMIN_CONF } from '../common/kubeadm-state';

/** Names of the verify checks, each reported as its own result. */
export const verifyCheckNames = ['nodes-ready', 'control-plane-pods', 'dns', 'api-via-vip', 'etcd-health'] as const;
export const verifyCheckSchema = z.enum(verifyCheckNames);
export type VerifyCheckName = z.infer<typeof verifyCheckSchema>;

/** Parameters of `verify` (run on a control plane). */
export const verifyParams = z
  .object({
    /** The VIP and HAProxy port. */
    endpoint: endpointSchema,
    kubeconfig: z.string().startsWith('/').default(ADMIN_CONF),
    /** Nodes expected Ready (all nodes of the cluster when empty). */
    expectedNodes: z.array(z.string().min(1)).default([]),
    /** Nodes allowed to be down (e.g. a control plane powered off by the drill). */
    tolerateDown: z.array(z.string().min(1)).default([]),
    checks: z.array(verifyCheckSchema).min(1).default([...verifyCheckNames]),
    dnsImage: z.string().min(1).default('registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3'),
    /** How long to wait for nodes and the dnsutils pod. */
    timeoutMs: z.number().int().positive().max(3_600_000).default(300_000),
  })
  .strict();
export type VerifyParams = z.infer<typeof verifyParams>;
