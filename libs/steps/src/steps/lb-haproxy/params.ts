import * as z from 'zod';
import { portSchema } from '../common/params';

/** One API server behind HAProxy. */
export const haproxyBackendSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a plain host name'),
    address: z.string().min(1),
    port: portSchema.default(6443),
  })
  .strict();

const configPathSchema = z.string().startsWith('/', 'must be an absolute path').default('/etc/haproxy/haproxy.cfg');

/** Parameters of `lb.haproxy` when HAProxy should run (the default, `ensure` left out). */
export const lbHaproxyPresentParams = z
  .object({
    ensure: z.literal('present').optional(),
    /** The frontend port clients use on the VIP. */
    frontendPort: portSchema.default(6443),
    backends: z.array(haproxyBackendSchema).min(1, 'give every control plane as a backend'),
    configPath: configPathSchema,
  })
  .strict();

/** Parameters of `lb.haproxy` with `ensure: absent` (kumi reset): stop HAProxy, remove kumi's configuration. */
export const lbHaproxyAbsentParams = z.object({ ensure: z.literal('absent'), configPath: configPathSchema }).strict();

/** Parameters of `lb.haproxy`: present (the default) or absent. */
export const lbHaproxyParams = z.discriminatedUnion('ensure', [lbHaproxyPresentParams, lbHaproxyAbsentParams]);
export type LbHaproxyParams = z.infer<typeof lbHaproxyParams>;
