import * as z from 'zod';
import { parseCidr, parseHostPort, parseIpv4 } from './ipv4';
import { SUPPORTED_KUBERNETES_MINORS, unsupportedVersionReason } from './kubernetes-versions';

/** The only apiVersion this kumi reads. */
export const SPEC_API_VERSION = 'kumi.dev/v1alpha1';

/**
 * A string checked by `reason` (undefined = fine). A failure carries `fix` in the issue's
 * params, so the loader can say how to correct it.
 */
function checkedString(description: string, reason: (text: string) => string | undefined, fix: string) {
  return z
    .string({ error: "must be a string" })
    .superRefine((text, ctx) => {
      const problem = reason(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { fix } });
    })
    .describe(description);
}

const ipv4Address = (description: string) =>
  checkedString(
    description,
    (text) => (parseIpv4(text) === undefined ? `"${text}" is not an IPv4 address like 192.0.2.11` : undefined),
    'write a dotted-quad IPv4 address, e.g. 192.0.2.11 (IPv6 is not supported yet)',
  );

const ipv4Cidr = (description: string, example: string) =>
  checkedString(
    description,
    (text) => {
      const parsed = parseCidr(text);
      return 'reason' in parsed ? parsed.reason : undefined;
    },
    `write the network address and prefix, e.g. ${example}`,
  );

const addressAndPort = (description: string, example: string) =>
  checkedString(
    description,
    (text) => {
      const parsed = parseHostPort(text);
      if ('reason' in parsed) return parsed.reason;
      return parseIpv4(parsed.host) === undefined ? `"${parsed.host}" is not an IPv4 address` : undefined;
    },
    `write IPV4:PORT, e.g. ${example}`,
  );

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const nodeName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const metadataSchema = z.strictObject({
  name: checkedString(
    'Cluster name (a DNS label): names the state folder and the kubeadm clusterName.',
    (text) => (dnsLabel.test(text) ? undefined : `"${text}" is not a DNS label`),
    'use 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. seed-ha',
  ),
});

const kubernetesSchema = z.strictObject({
  version: checkedString(
    `Exact Kubernetes patch version, e.g. 1.33.2. Supported minors: ${SUPPORTED_KUBERNETES_MINORS.join(', ')}.`,
    unsupportedVersionReason,
    `quote an exact patch version of a supported minor (${SUPPORTED_KUBERNETES_MINORS.join(', ')}), e.g. version: "1.33.2"`,
  ),
  controlPlaneEndpoint: addressAndPort(
    'Address:port every node uses to reach the API servers: the load balancer VIP, or the single control plane.',
    '192.0.2.100:6443',
  ),
});

const networkSchema = z.strictObject({
  hostCIDR: ipv4Cidr('The subnet the hosts share; every host address and the VIP must be inside it.', '192.0.2.0/24'),
  podCIDR: ipv4Cidr('Pod network (kubeadm podSubnet, flannel Network).', '10.244.0.0/16').default('10.244.0.0/16'),
  serviceCIDR: ipv4Cidr('Service network (kubeadm serviceSubnet).', '10.96.0.0/12').default('10.96.0.0/12'),
});

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' });

const manifestSchema = z.union([
  z.strictObject({
    url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).describe('Where to download kube-flannel.yml.'),
    sha256: sha256Hex.describe('SHA-256 of the manifest; the download is refused when it differs.'),
  }),
  z.strictObject({
    path: z
      .string()
      .regex(/^\//, { error: 'must be an absolute path' })
      .describe('Absolute path of kube-flannel.yml on the first control plane (air-gapped sites).'),
    sha256: sha256Hex.optional().describe('SHA-256 the file must have.'),
  }),
]);

const cniSchema = z.strictObject({
  plugin: z.literal('flannel').default('flannel').describe('Pod network add-on. Only flannel for now.'),
  version: z
    .string()
    .regex(/^v\d+\.\d+\.\d+$/, { error: 'must be a flannel release like v0.26.7' })
    .describe('flannel release; the manifest\'s flannel image must carry this tag.'),
  backend: z.enum(['vxlan', 'host-gw']).default('vxlan').describe('flannel backend: vxlan (UDP 8472) or host-gw (one L2 segment).'),
  manifest: manifestSchema.describe('Where kube-flannel.yml comes from: url + sha256, or a local path.'),
});

const loadBalancerSchema = z.strictObject({
  type: z.literal('haproxy-keepalived').describe('HAProxy in front of the API servers, keepalived holding the VIP.'),
  vip: ipv4Address('Virtual IP keepalived moves between the load balancers; the endpoint address.'),
  virtualRouterId: z
    .number()
    .int()
    .min(1)
    .max(255)
    .default(51)
    .describe('VRRP virtual_router_id, unique per subnet (1-255).'),
  authPass: z
    .string()
    .min(1)
    .max(8, { error: 'keepalived uses at most 8 characters of auth_pass' })
    .default('kumi-lb')
    .describe('VRRP auth_pass shared by the load balancers (VRRP sends it in clear: a label, not a secret).'),
  hosts: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('Load balancer host names in priority order (the first is the keepalived MASTER); default: hosts with the loadbalancer role, in spec order.'),
});

const dockerSchema = z.strictObject({
  criDockerd: z.strictObject({
    version: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'must be a release like 0.3.16' }).describe('cri-dockerd release, without "v".'),
    package: z
      .strictObject({
        url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
        sha256: sha256Hex,
      })
      .describe("cri-dockerd package for the hosts' OS and architecture (kumi assumes the hosts share both)."),
  }),
});

const roleSchema = z.enum(['loadbalancer', 'control-plane', 'worker']);

const hostSchema = z.strictObject({
  name: checkedString(
    'Host name: the agent certificate CN and the Kubernetes node name.',
    (text) => (nodeName.test(text) && text.length <= 253 ? undefined : `"${text}" is not a valid node name`),
    'use lowercase letters, digits, "-" and ".", e.g. master1',
  ),
  address: ipv4Address('The address other hosts reach this host at (in network.hostCIDR).'),
  roles: z
    .array(roleSchema)
    .min(1, { error: 'a host needs at least one role' })
    .describe('loadbalancer, control-plane and/or worker.'),
});

const coordinatorSchema = z.strictObject({
  address: addressAndPort('Address:port the agents dial to reach `kumi serve`.', '192.0.2.1:7443'),
});

const joinSchema = z.strictObject({
  workerConcurrency: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe('How many workers join at the same time.'),
  tokenTtlMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(15)
    .describe('Lifetime of each per-join bootstrap token (deleted right after the join anyway).'),
});

const preflightSchema = z.strictObject({
  ignore: z.array(z.string().min(1)).default([]).describe("Preflight check names whose errors become warnings (like kubeadm's --ignore-preflight-errors)."),
});

const verifySchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Run the verify stage after the joins.'),
  dns: z.boolean().default(true).describe('Check that a dnsutils pod resolves kubernetes.default.'),
  dnsImage: z.string().min(1).optional().describe('Image of the dnsutils pod; default: the Kubernetes e2e jessie-dnsutils image.'),
  timeoutSeconds: z.number().int().min(10).max(3600).default(300).describe('How long verify waits for nodes and pods.'),
});

const drillSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Run the failover drill after verify.'),
  target: z.string().optional().describe('Control plane to take down; default: the first control plane.'),
  mode: z.enum(['stop', 'poweroff']).default('stop').describe('stop: stop kubelet and its static pods, restored after; poweroff: power the host off.'),
  observeSeconds: z
    .number()
    .int()
    .min(1)
    .max(600)
    .default(30)
    .describe('How long the API behind the VIP is watched while the control plane is down.'),
});

/** The cluster spec a user writes (`kumi plan|up spec.yaml`). Unknown fields are rejected. */
export const clusterSpecSchema = z.strictObject({
  apiVersion: z.literal(SPEC_API_VERSION, { error: `must be ${SPEC_API_VERSION}` }),
  kind: z.literal('Cluster', { error: 'must be Cluster' }),
  metadata: metadataSchema,
  spec: z.strictObject({
    kubernetes: kubernetesSchema,
    network: networkSchema,
    cni: cniSchema,
    runtime: z.enum(['containerd', 'docker']).default('containerd').describe('Container runtime; docker means Docker Engine + cri-dockerd.'),
    firewall: z
      .enum(['auto', 'firewalld', 'iptables', 'nftables', 'none'])
      .default('auto')
      .describe('Firewall backend to configure; auto picks what each host runs.'),
    docker: dockerSchema.optional().describe('Docker Engine + cri-dockerd settings; required when runtime is docker.'),
    loadBalancer: loadBalancerSchema.optional(),
    coordinator: coordinatorSchema,
    hosts: z.array(hostSchema).min(1, { error: 'list at least one host' }),
    join: joinSchema.default({ workerConcurrency: 5, tokenTtlMinutes: 15 }),
    preflight: preflightSchema.default({ ignore: [] }),
    verify: verifySchema.default({ enabled: true, dns: true, timeoutSeconds: 300 }),
    drill: drillSchema.default({ enabled: false, mode: 'stop', observeSeconds: 30 }),
  }),
});

/** A validated cluster spec, defaults filled in. */
export type ClusterSpec = z.output<typeof clusterSpecSchema>;
/** One host of a spec. */
export type HostSpec = ClusterSpec['spec']['hosts'][number];
/** A host role. */
export type HostRole = z.output<typeof roleSchema>;
