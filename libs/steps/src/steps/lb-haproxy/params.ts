import { z } from 'zod';
import { portSchema } from '../common/params';

/** One API server behind HAProxy. */
export const haproxyBackendSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a plain host name'),
    address: z.string().min(1),
    port: portSchema.default(6443),
  })
  .strict();

/** Parameters of `lb.haproxy`. */
export const lbHaproxyParams = z
  .object({
    /** The frontend port clients use on the VIP. */
    frontendPort: portSchema.default(6443),
    backends: z.array(haproxyBackendSchema).min(1, 'give every control plane as a backend'),
    configPath: z.string().startsWith('/', 'must be an absolute path').default('/etc/haproxy/haproxy.cfg'),
  })
  .strict();
export type LbHaproxyParams = z.infer<typeof lbHaproxyParams>;
