import * as z from 'zod';
import { DEFAULT_POD_CIDR, ipv4CidrSchema } from '../common/params';
import { ADMIN_CONF } from '../common/kubeadm-state';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** Where the flannel manifest comes from: a release URL pinned by sha256, or a local file. */
export const flannelManifestSchema = z.union([
  z.object({ url: z.string().startsWith('https://', 'must be an https URL'), sha256: sha256Schema }).strict(),
  z.object({ path: z.string().startsWith('/', 'must be an absolute path'), sha256: sha256Schema.optional() }).strict(),
]);

/** Parameters of `cni.flannel`. */
export const cniFlannelParams = z
  .object({
    /** The pinned release, e.g. "v0.26.7"; the manifest's flannel image must carry this tag. */
    version: z.string().regex(/^v\d+\.\d+\.\d+$/, 'must be a flannel release like "v0.26.7"'),
    manifest: flannelManifestSchema,
    podCidr: ipv4CidrSchema.default(DEFAULT_POD_CIDR),
    backend: z.enum(['vxlan', 'host-gw', 'wireguard', 'udp']).default('vxlan'),
    kubeconfig: z.string().startsWith('/').default(ADMIN_CONF),
    /** How long to wait for the flannel pods to be Ready. */
    readyTimeoutMs: z.number().int().positive().max(3_600_000).default(300_000),
  })
  .strict();
export type CniFlannelParams = z.infer<typeof cniFlannelParams>;
