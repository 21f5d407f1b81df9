import * as z from 'zod';
import { durationSchema } from '../common/kubeadm-params';
import { ADMIN_CONF } from '../common/kubeadm-state';

/** A Node's name: a lower-case RFC 1123 subdomain, as the API server demands for nodes. */
export const nodeNameSchema = z
  .string()
  .max(253, 'must be at most 253 characters (a Node name)')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a Node name: lower-case letters, digits, "-" and "."');

/** The kubeconfig kubectl talks to the cluster with; admin.conf on a control plane. */
const kubeconfigSchema = z.string().startsWith('/', 'must be an absolute path').default(ADMIN_CONF);

/** Parameters of `kube.drain`: kubectl drain's options kumi uses. */
export const kubeDrainParams = z
  .object({
    node: nodeNameSchema,
    kubeconfig: kubeconfigSchema,
    /** kubectl drain --timeout: how long evictions may take (PodDisruptionBudgets can hold them). */
    timeout: durationSchema.default('5m'),
    ignoreDaemonSets: z.boolean().default(true),
    deleteEmptyDirData: z.boolean().default(true),
    /**
     * kubectl drain --force: also delete pods no controller recreates. kubeadm's "remove the
     * node" guide passes it, since the node goes away; an upgrade leaves it off.
     */
    force: z.boolean().default(false),
  })
  .strict();
export type KubeDrainParams = z.infer<typeof kubeDrainParams>;

/** Parameters of `kube.uncordon`. */
export const kubeUncordonParams = z.object({ node: nodeNameSchema, kubeconfig: kubeconfigSchema }).strict();
export type KubeUncordonParams = z.infer<typeof kubeUncordonParams>;

/** Parameters of `kube.node-delete`. */
export const kubeNodeDeleteParams = z.object({ node: nodeNameSchema, kubeconfig: kubeconfigSchema }).strict();
export type KubeNodeDeleteParams = z.infer<typeof kubeNodeDeleteParams>;
