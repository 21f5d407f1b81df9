import * as z from 'zod';
import {
  DEFAULT_POD_CIDR,
  DEFAULT_SERVICE_CIDR,
  ipv4CidrSchema,
  portSchema,
  portSpecSchema,
  roleSchema,
} from '../common/params';

/** Firewall backends; "auto" takes the one the host's facts report. */
export const firewallBackendSchema = z.enum(['auto', 'firewalld', 'iptables', 'nftables', 'none']);
export type FirewallBackendChoice = z.infer<typeof firewallBackendSchema>;

/** flannel backends; each needs its own port (host-gw none). */
export const flannelBackendSchema = z.enum(['vxlan', 'udp', 'host-gw', 'wireguard']);
export type FlannelBackend = z.infer<typeof flannelBackendSchema>;

/** Parameters of `firewall`: the role's ports and the pod-traffic fix. */
export const firewallParams = z
  .object({
    backend: firewallBackendSchema.default('auto'),
    roles: z.array(roleSchema).min(1, 'give at least one role: control-plane, worker or load-balancer'),
    podCidr: ipv4CidrSchema.default(DEFAULT_POD_CIDR),
    serviceCidr: ipv4CidrSchema.default(DEFAULT_SERVICE_CIDR),
    flannelBackend: flannelBackendSchema.default('vxlan'),
    /** HAProxy's frontend port, opened on load balancers. */
    lbFrontendPort: portSchema.default(6443),
    /** Workers' NodePort range. */
    nodePortRange: z.string().regex(/^\d{1,5}-\d{1,5}$/, 'must be a range like "30000-32767"').default('30000-32767'),
    /** Extra ports to open, e.g. "9100/tcp". */
    extraPorts: z.array(portSpecSchema).default([]),
    /** firewalld zone for the ports; the default zone when absent. */
    zone: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a firewalld zone name').optional(),
    /** Plain iptables only: where the rules are saved for the boot-time loader. */
    iptables: z
      .object({
        /** Default: /etc/iptables/rules.v4 (Debian), /etc/sysconfig/iptables (RHEL). */
        saveFile: z.string().startsWith('/', 'must be an absolute path').optional(),
        /** Install and enable the boot-time loader (iptables-persistent / iptables-services). */
        installLoader: z.boolean().default(true),
      })
      .strict()
      .default({ installLoader: true }),
  })
  .strict();
export type FirewallParams = z.infer<typeof firewallParams>;
