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

/** flannel.1's table entries as `ip -j neigh`, `bridge -j fdb` and `ip -j route` show them. */
export interface VxlanTables {
  neighbours: ReadonlyArray<{ dst?: string; lladdr?: string }>;
  fdb: ReadonlyArray<{ mac?: string; dst?: string }>;
  routes: ReadonlyArray<{ dst?: string }>;
}

/**
 * What flanneld's handleSubnetEvents does for a node that left (EventRemoved, pkg/backend/vxlan/
 * vxlan_network.go v0.26.7): DelARP of its subnet address, DelFDB of its VtepMAC -> node address,
 * RouteDel of its subnet, each tried even when another fails. The lab has no event stream, so
 * a departed node is an entry on flannel.1 that no current lease explains.
 */
export function departedPeerCommands(peers: readonly VxlanPeer[], tables: VxlanTables): string[][] {
  const gateways = new Set(peers.map((peer) => subnetAddress(peer.subnet)));
  const fdbWanted = new Set(peers.map((peer) => `${peer.vtepMac.toLowerCase()} ${peer.publicIp}`));
  const subnets = new Set(peers.map((peer) => peer.subnet));
  const out: string[][] = [];
  for (const n of tables.neighbours) if (n.dst && !gateways.has(n.dst)) out.push(['ip', 'neigh', 'del', n.dst, 'dev', VXLAN_DEVICE]);
  for (const f of tables.fdb) {
    if (f.mac && f.dst && !fdbWanted.has(`${f.mac.toLowerCase()} ${f.dst}`)) out.push(['bridge', 'fdb', 'del', f.mac, 'dev', VXLAN_DEVICE, 'dst', f.dst, 'self']);
  }
  for (const r of tables.routes) if (r.dst && r.dst.includes('/') && !subnets.has(r.dst)) out.push(['ip', 'route', 'del', r.dst, 'dev', VXLAN_DEVICE]);
  return out;
}

/**
 * For each remote node, what flanneld's handleSubnetEvents adds (pkg/backend/vxlan/vxlan_network.go
 * v0.26.7, EventAdded): the permanent neighbour entry of its subnet address (AddARP), the FDB
 * entry sending its VtepMAC to its node address (AddFDB), then the route to its subnet via that
 * address on flannel.1 (onlink). Nodes that left lose all three (departedPeerCommands). Idempotent.
 */
export async function syncVxlanPeers(peers: readonly VxlanPeer[]): Promise<void> {
  for (const peer of peers) {
    const gateway = subnetAddress(peer.subnet);
    await ip(['neigh', 'replace', gateway, 'lladdr', peer.vtepMac, 'dev', VXLAN_DEVICE, 'nud', 'permanent']);
    await run('bridge', ['fdb', 'replace', peer.vtepMac, 'dev', VXLAN_DEVICE, 'dst', peer.publicIp, 'self', 'permanent'], { timeout: 10_000 });
    await ip(['route', 'replace', peer.subnet, 'via', gateway, 'dev', VXLAN_DEVICE, 'onlink']);
  }
  const tables: VxlanTables = {
    neighbours: JSON.parse(await ip(['-j', 'neigh', 'show', 'dev', VXLAN_DEVICE]).catch(() => '[]')) as VxlanTables['neighbours'],
    fdb: JSON.parse((await run('bridge', ['-j', 'fdb', 'show', 'dev', VXLAN_DEVICE], { timeout: 10_000 }).catch(() => ({ stdout: '[]' }))).stdout || '[]') as VxlanTables['fdb'],
    routes: JSON.parse(await ip(['-j', 'route', 'show', 'dev', VXLAN_DEVICE])) as VxlanTables['routes'],
  };
  // "Try to remove all entries - don't bail out if one of them fails" (vxlan_network.go).
  for (const [command, ...args] of departedPeerCommands(peers, tables)) await run(command as string, args, { timeout: 10_000 }).catch(() => undefined);
}
