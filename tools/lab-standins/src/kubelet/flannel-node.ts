import { existsSync } from 'node:fs';
import type { HostEnv } from '../common/host-env';
import type { KubeApi } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { ensureVxlanDevice, syncVxlanPeers, VXLAN_VNI, type VxlanPeer } from './flannel-vxlan';
import { CNI_CONF_DIR, flannelNetwork, writeFlannelFiles } from './network';
import { addPodNetwork } from './pod-network';

const NODES = resourceByRest('', 'nodes');
/** Present in every lab host only (tools/lab/LAB-LAYOUT.md). */
const LAB_HOST_INFO = '/etc/kumi-lab/host.json';
/** The node annotations flanneld's kube subnet manager writes and reads (flannel-io/flannel pkg/subnet/kube/annotations.go v0.26.7, prefix flannel.alpha.coreos.com). */
const ANNOTATION = {
  backendData: 'flannel.alpha.coreos.com/backend-data',
  backendType: 'flannel.alpha.coreos.com/backend-type',
  publicIp: 'flannel.alpha.coreos.com/public-ip',
  kubeSubnetManager: 'flannel.alpha.coreos.com/kube-subnet-manager',
} as const;

type NodeSpec = { podCIDR?: string };

/**
 * The node's pod CIDR: spec.podCIDR when set, else the lowest /24 of the flannel network no node
 * holds yet, set on the node as kube-controller-manager's range allocator does for kubeadm's
 * --allocate-node-cidrs (the lab runs no controller-manager; the node claims its own, as flannel
 * with --kube-subnet-mgr expects spec.podCIDR to be there).
 */
async function nodePodCidr(api: KubeApi, self: KubeObject, nodes: KubeObject[], network: string): Promise<string> {
  const own = (self.spec as NodeSpec | undefined)?.podCIDR;
  if (own) return own;
  const taken = new Set(nodes.map((node) => (node.spec as NodeSpec | undefined)?.podCIDR).filter(Boolean));
  // The real allocator is one process holding one CIDR set under a lock, so no /24 goes to two
  // nodes (kubernetes pkg/controller/nodeipam/ipam/range_allocator.go, cidrset). Here every
  // node claims its own at the same time: nodes still waiting for a CIDR take the free ones in
  // order of registration (creation time, then name), so two kubelets reading the same node
  // list never claim the same /24.
  const name = self.metadata?.name ?? '';
  const waiting = nodes
    .filter((node) => !(node.spec as NodeSpec | undefined)?.podCIDR)
    .map((node) => ({ name: node.metadata?.name ?? '', created: String(node.metadata?.creationTimestamp ?? '') }))
    .sort((x, y) => x.created.localeCompare(y.created) || x.name.localeCompare(y.name));
  let skip = Math.max(0, waiting.findIndex((node) => node.name === name));
  const [a, b] = (network.split('/')[0] ?? '10.244.0.0').split('.');
  for (let third = 0; third < 256; third++) {
    const candidate = `${a}.${b}.${third}.0/24`;
    if (taken.has(candidate)) continue;
    if (skip > 0) {
      skip -= 1;
      continue;
    }
    await api.patch(NODES, undefined, name, { spec: { podCIDR: candidate, podCIDRs: [candidate] } });
    return candidate;
  }
  throw new Error(`no free /24 left in the flannel network ${network}`);
}

/** A peer's lease from its node object, or undefined while its flanneld has not published one. */
function peerOf(node: KubeObject): VxlanPeer | undefined {
  const annotations = node.metadata?.annotations ?? {};
  const subnet = (node.spec as NodeSpec | undefined)?.podCIDR;
  const publicIp = annotations[ANNOTATION.publicIp];
  let vtepMac: string | undefined;
  try {
    vtepMac = (JSON.parse(annotations[ANNOTATION.backendData] ?? '{}') as { VtepMAC?: string }).VtepMAC;
  } catch {
    vtepMac = undefined;
  }
  return subnet && publicIp && vtepMac ? { subnet, publicIp, vtepMac } : undefined;
}

/**
 * flanneld's work on this node once its pod runs (vxlan backend, kube subnet manager): the
 * lease (the node's pod CIDR), /run/flannel/subnet.env and the CNI config, flannel.1, its own
 * lease published in the node's annotations, and the route/ARP/FDB entries of every other
 * node that has published one. Called every sync, so nodes that join later are learnt.
 */
export async function syncFlannelNode(api: KubeApi, host: HostEnv, self: { name: string; ip: string }, netConf: string | undefined): Promise<void> {
  const network = flannelNetwork(netConf);
  const nodes = await api.list(NODES);
  const me = nodes.find((node) => node.metadata?.name === self.name);
  if (!me) return;
  const subnet = await nodePodCidr(api, me, nodes, network);
  writeFlannelFiles(host, network, subnet);
  if (!podNetworkingLive(host)) return;
  const mac = await ensureVxlanDevice({ nodeIp: self.ip, uplink: 'eth0', subnet, uplinkMtu: 1500 });
  const annotations = {
    [ANNOTATION.backendData]: JSON.stringify({ VNI: VXLAN_VNI, VtepMAC: mac }),
    [ANNOTATION.backendType]: 'vxlan',
    [ANNOTATION.publicIp]: self.ip,
    [ANNOTATION.kubeSubnetManager]: 'true',
  };
  const current = me.metadata?.annotations ?? {};
  if (Object.entries(annotations).some(([key, value]) => current[key] !== value)) await api.patch(NODES, undefined, self.name, { metadata: { annotations } });
  const peers = nodes.filter((node) => node.metadata?.name !== self.name).map(peerOf).filter((peer): peer is VxlanPeer => peer !== undefined);
  await syncVxlanPeers(peers);
}

/**
 * Whether this kubelet runs in a lab host, where links, netns and routes are the host's own.
 * Outside one (stand-in unit tests under KUMI_STANDIN_ROOT, or on the machine itself) nothing
 * touches the network: only files are written, as before pods had real networking.
 */
export function podNetworkingLive(host: HostEnv): boolean {
  return host.root === '/' && existsSync(LAB_HOST_INFO);
}

/** A running pod's IP: its sandbox network through CNI (made once, kept while the node lives); undefined outside a lab host. */
export async function podSandboxIp(host: HostEnv, pod: KubeObject): Promise<string | undefined> {
  if (!podNetworkingLive(host)) return undefined;
  const sandboxId = pod.metadata?.uid ?? `${pod.metadata?.namespace}-${pod.metadata?.name}`;
  return (await addPodNetwork(sandboxId, CNI_CONF_DIR)).ip;
}
