import { isIPv4 } from 'node:net';
import * as z from 'zod';

/** Roles a host plays in the HA build. */
export const roleSchema = z.enum(['control-plane', 'worker', 'load-balancer']);
export type Role = z.infer<typeof roleSchema>;

/** The node's container runtime; it decides kubeadm's criSocket. */
export const runtimeSchema = z.enum(['containerd', 'docker']);
export type RuntimeName = z.infer<typeof runtimeSchema>;

/** An exact Kubernetes patch version without the leading "v", e.g. "1.33.2". */
export const kubernetesVersionSchema = z
  .string()
  .regex(/^1\.\d{2}\.\d{1,3}$/, 'must be an exact Kubernetes patch version like "1.33.2" (no leading "v", no wildcard)');

/** A dotted IPv4 address. */
export const ipv4Schema = z.string().refine((value) => isIPv4(value), 'must be an IPv4 address like "192.0.2.100"');

/** An IPv4 network in CIDR form whose host bits are zero, e.g. "10.244.0.0/16". */
export const ipv4CidrSchema = z.string().refine(isNetworkCidr, 'must be an IPv4 network like "10.244.0.0/16" (host bits zero)');

/** A TCP/UDP port number. */
export const portSchema = z.number().int().min(1, 'must be a port 1-65535').max(65535, 'must be a port 1-65535');

/** Where the API server answers: the VIP and HAProxy's frontend port. */
export const endpointSchema = z
  .object({
    host: z.string().min(1, 'must be the VIP or a DNS name'),
    port: portSchema.default(6443),
  })
  .strict();
export type Endpoint = z.infer<typeof endpointSchema>;

/** A port or range with its protocol, e.g. "6443/tcp", "30000-32767/tcp". */
export const portSpecSchema = z
  .string()
  .regex(/^\d{1,5}(-\d{1,5})?\/(tcp|udp)$/, 'must look like "9100/tcp" or "30000-32767/tcp"');

/** kubeadm's default pod and service networks as used by flannel. */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

function isNetworkCidr(value: string): boolean {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(value);
  if (match === null || !isIPv4(match[1] ?? '')) return false;
  const prefix = Number(match[2]);
  if (prefix > 32) return false;
  const address = ipv4ToNumber(match[1] ?? '');
  const hostMask = prefix === 32 ? 0 : 2 ** (32 - prefix) - 1;
  return address % (hostMask + 1) === 0;
}

/** The unsigned 32-bit value of a dotted IPv4 address. */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}
