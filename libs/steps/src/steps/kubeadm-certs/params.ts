import * as z from 'zod';
import { ADMIN_CONF } from '../common/kubeadm-state';

/** Parameters of `kubeadm.certs-check`: read-only, on a control plane. */
export const kubeadmCertsCheckParams = z
  .object({
    /** kubeadm reads its ClusterConfiguration (the certificates dir) through it. */
    kubeconfig: z.string().startsWith('/', 'must be an absolute path').default(ADMIN_CONF),
  })
  .strict();
export type KubeadmCertsCheckParams = z.infer<typeof kubeadmCertsCheckParams>;

/** Parameters of `kubeadm.certs-renew`: on a control plane, one at a time across the cluster. */
export const kubeadmCertsRenewParams = z
  .object({
    kubeconfig: z.string().startsWith('/', 'must be an absolute path').default(ADMIN_CONF),
    /**
     * Renew when a kubeadm-managed leaf certificate has less than this many days left. The
     * default (364) renews anything not renewed within the last day of a one-year validity,
     * so a resumed `kumi certs renew` skips the hosts it already did.
     */
    minResidualDays: z.number().int().min(0).max(3650).default(364),
    /** Renew whatever is left. */
    force: z.boolean().default(false),
    /** How long each static pod may take to stop and to come back. */
    timeoutMs: z.number().int().positive().max(3_600_000).default(300_000),
  })
  .strict();
export type KubeadmCertsRenewParams = z.infer<typeof kubeadmCertsRenewParams>;
