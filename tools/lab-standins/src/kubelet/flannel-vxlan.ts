import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** flannel's VXLAN device for VNI 1 (flannel-io/flannel pkg/backend/vxlan/vxlan.go v0.26.7: name "flannel.<VNI>", defaultVNI 1). */
export const VXLAN_DEVICE = 'flannel.1';
/** The VNI flannel uses by default (same file: defaultVNI = 1). */
export const VXLAN_VNI = 1;
/** Linux's VXLAN port, which flannel keeps when Backend.Port is 0 (the kernel's default, not IANA's 4789). */
export const VXLAN_PORT = 8472;
/** flannel's VXLAN overhead: the device MTU is the uplink's minus 50 (pkg/backend/vxlan/device.go v0.26.7). */
export const VXLAN_OVERHEAD = 50;

/** What flanneld learns of another node from its lease (kube subnet manager: the node's annotations). */
export interface VxlanPeer {
  /** The peer's pod subnet, e.g. "10.244.2.0/24". */
  subnet: string;
  /** The peer's node address (flannel.alpha.coreos.com/public-ip). */
  publicIp: string;
  /** MAC of the peer's flannel.1 (backend-data VtepMAC). */
  vtepMac: string;
}

async function ip(args: string[]): Promise<string> {
  return (await run('ip', args, { timeout: 10_000 })).stdout;
}

/** The network address of a "10.244.1.0/24"-style subnet (flannel puts it on flannel.1 as a /32). */
export function subnetAddress(subnet: string): string {
  const address = subnet.split('/')[0];
  if (!address || !/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`not an IPv4 subnet: ${subnet}`);
  return address;
}

/**
 * Creates (or keeps) flannel.1 the way flanneld's VXLAN backend does (pkg/backend/vxlan/device.go
 * and vxlan.go v0.26.7): VNI 1 on the node's uplink and address, learning off, MTU uplink - 50,
 * the node's subnet address as a /32, link up. Returns the device's MAC (its VtepMAC).
 */
export async function ensureVxlanDevice(opts: { nodeIp: string; uplink: string; subnet: string; uplinkMtu: number }): Promise<string> {
  const existing = await ip(['-d', '-j', 'link', 'show', VXLAN_DEVICE]).catch(() => '');
  if (!existing) {
    await ip([
      'link', 'add', VXLAN_DEVICE, 'type', 'vxlan', 'id', String(VXLAN_VNI), 'local', opts.nodeIp, 'dev', opts.uplink,
      'dstport', String(VXLAN_PORT), 'nolearning',
    ]);
    await ip(['link', 'set', VXLAN_DEVICE, 'mtu', String(opts.uplinkMtu - VXLAN_OVERHEAD)]);
  }
  // ip.EnsureV4AddressOnLink(lease.Subnet.IP/32): the subnet's network address, alone.
  await ip(['addr', 'replace', `${subnetAddress(opts.subnet)}/32`, 'dev', VXLAN_DEVICE]);
  await ip(['link', 'set', VXLAN_DEVICE, 'up']);
  const [link] = JSON.parse(await ip(['-j', 'link', 'show', VXLAN_DEVICE])) as Array<{ address?: string }>;
  if (!link?.address) throw new Error(`${VXLAN_DEVICE} has no MAC address`);
  return link.address;
}

/**
 * For each remote node, what flanneld's handleSubnetEvents adds (pkg/backend/vxlan/vxlan_network.go
 * v0.26.7): the route to its subnet via its subnet address on flannel.1 (onlink), the permanent
 * neighbour entry of that address (AddARP) and the FDB entry sending its VtepMAC to its node
 * address (AddFDB). Entries of nodes that are gone are removed. Idempotent.
 */
export async function syncVxlanPeers(peers: readonly VxlanPeer[]): Promise<void> {
  const wanted = new Set(peers.map((peer) => peer.subnet));
  for (const peer of peers) {
    const gateway = subnetAddress(peer.subnet);
    await ip(['neigh', 'replace', gateway, 'lladdr', peer.vtepMac, 'dev', VXLAN_DEVICE, 'nud', 'permanent']);
    await run('bridge', ['fdb', 'replace', peer.vtepMac, 'dev', VXLAN_DEVICE, 'dst', peer.publicIp, 'self', 'permanent'], { timeout: 10_000 });
    await ip(['route', 'replace', peer.subnet, 'via', gateway, 'dev', VXLAN_DEVICE, 'onlink']);
  }
  const routes = JSON.parse(await ip(['-j', 'route', 'show', 'dev', VXLAN_DEVICE])) as Array<{ dst?: string }>;
  for (const route of routes) {
    if (route.dst && route.dst.includes('/') && !wanted.has(route.dst)) await ip(['route', 'del', route.dst, 'dev', VXLAN_DEVICE]).catch(() => '');
  }
}
