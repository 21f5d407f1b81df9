import * as z from 'zod';
import { ipv4Schema, portSchema } from '../common/params';

const configPathSchema = z.string().startsWith('/', 'must be an absolute path').default('/etc/keepalived/keepalived.conf');

/** Parameters of `lb.keepalived` when keepalived should hold the VIP (the default, `ensure` left out). */
export const lbKeepalivedPresentParams = z
  .object({
    ensure: z.literal('present').optional(),
    vip: ipv4Schema,
    /** MASTER on the first load balancer, BACKUP on the others. */
    state: z.enum(['MASTER', 'BACKUP']),
    /** Higher wins; MASTER 101, BACKUP 100 (then 99, ...). */
    priority: z.number().int().min(1).max(254),
    virtualRouterId: z.number().int().min(1).max(255).default(51),
    /**
     * VRRP PASS authentication (at most 8 characters). It travels in clear text in every
     * VRRP advert, so it is a shared label rather than a secret.
     */
    authPass: z.string().regex(/^[A-Za-z0-9_.-]{1,8}$/, 'must be 1-8 characters of letters, digits, "_", "." or "-" (keepalived uses 8)'),
    /** The port HAProxy serves on the VIP; the check script probes it. */
    apiPort: portSchema.default(6443),
    /** Overrides the interface found from facts (the one holding an address in the VIP's subnet). */
    interface: z.string().min(1).optional(),
    configPath: configPathSchema,
  })
  .strict();
export type LbKeepalivedPresentParams = z.infer<typeof lbKeepalivedPresentParams>;

/**
 * Parameters of `lb.keepalived` with `ensure: absent` (kumi reset): stop keepalived (the
 * VIP leaves this host), remove kumi's configuration and check script.
 */
export const lbKeepalivedAbsentParams = z.object({ ensure: z.literal('absent'), configPath: configPathSchema }).strict();

/** Parameters of `lb.keepalived`: present (the default) or absent. */
export const lbKeepalivedParams = z.discriminatedUnion('ensure', [lbKeepalivedPresentParams, lbKeepalivedAbsentParams]);
export type LbKeepalivedParams = z.infer<typeof lbKeepalivedParams>;
