/**
 * flannel's CNI plugin (flannel-io/cni-plugin flannel.go + flannel_linux.go, v1.6.2-flannel1) is
 * not a network plugin of its own: it reads /run/flannel/subnet.env and hands a bridge +
 * host-local configuration to the bridge plugin ("delegate"). Debian ships bridge and host-local
 * (containernetworking-plugins) but not flannel's plugin, so the lab does flannel's translation
 * here and runs Debian's real bridge plugin with its result.
 */

/** /run/flannel/subnet.env as flanneld writes it (flannel-io/flannel pkg/subnet/subnet.go WriteSubnetFile, v0.26.7). */
export interface SubnetEnv {
  network: string;
  subnet: string;
  mtu: number;
  ipMasq: boolean;
}

/** Where flanneld writes its lease for the CNI plugin. */
export const SUBNET_ENV_PATH = '/run/flannel/subnet.env';

/** Parses subnet.env's KEY=value lines; names the missing key. */
export function parseSubnetEnv(text: string): SubnetEnv {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) values.set(match[1] as string, (match[2] as string).trim());
  }
  const need = (key: string): string => {
    const value = values.get(key);
    if (value === undefined || value === '') throw new Error(`${SUBNET_ENV_PATH} has no ${key} (is flanneld running on this node?)`);
    return value;
  };
  return { network: need('FLANNEL_NETWORK'), subnet: need('FLANNEL_SUBNET'), mtu: Number(need('FLANNEL_MTU')), ipMasq: need('FLANNEL_IPMASQ') === 'true' };
}

/** subnet.env's text for a lease (same keys and order as WriteSubnetFile, IPv4 only). */
export function formatSubnetEnv(env: SubnetEnv): string {
  return `FLANNEL_NETWORK=${env.network}\nFLANNEL_SUBNET=${env.subnet}\nFLANNEL_MTU=${env.mtu}\nFLANNEL_IPMASQ=${env.ipMasq}\n`;
}

/** One plugin entry of a conflist. */
export type PluginConf = Record<string, unknown> & { type: string };

/**
 * The delegate configuration flannel's doCmdAdd builds (flannel_linux.go): the delegate's own keys
 * kept; name = the network's name; type bridge unless set; ipMasq = !FLANNEL_IPMASQ; mtu =
 * FLANNEL_MTU; isGateway true for bridge; cniVersion of the network; ipam host-local with the
 * node's subnet as its one range and a route to the whole flannel network.
 */
export function flannelDelegate(plugin: PluginConf, network: { name: string; cniVersion: string }, env: SubnetEnv): PluginConf {
  const delegate = { ...((plugin.delegate as Record<string, unknown> | undefined) ?? {}) };
  delegate.name = network.name;
  if (!('type' in delegate)) delegate.type = 'bridge';
  if (!('ipMasq' in delegate)) delegate.ipMasq = !env.ipMasq;
  if (!('mtu' in delegate)) delegate.mtu = env.mtu;
  if (delegate.type === 'bridge' && !('isGateway' in delegate)) delegate.isGateway = true;
  if (network.cniVersion) delegate.cniVersion = network.cniVersion;
  const ipam = { ...((plugin.ipam as Record<string, unknown> | undefined) ?? {}) };
  if (!('type' in ipam)) ipam.type = 'host-local';
  // loadFlannelSubnetEnv keeps net.ParseCIDR's network: "10.244.1.1/24" becomes "10.244.1.0/24".
  ipam.ranges = [[{ subnet: cidrNetwork(env.subnet) }]];
  ipam.routes = [...((ipam.routes as unknown[] | undefined) ?? []), { dst: env.network }];
  delegate.ipam = ipam;
  return delegate as PluginConf;
}

/** The network of an IPv4 CIDR ("10.244.1.1/24" -> "10.244.1.0/24"), as Go's net.ParseCIDR returns it. */
export function cidrNetwork(cidr: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const bits = Number(match[5]);
  const value = match.slice(1, 5).reduce((acc, part) => acc * 256 + Number(part), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const network = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.')}/${bits}`;
}
