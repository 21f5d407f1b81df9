import { podNetnsName } from '@kumi/lab-standins/kubelet/pod-network';
import { inCoordinator, inHost } from '../in-host';

/** kubectl's arguments for the cluster admin's kubeconfig on a control plane. */
export const ADMIN = ['--kubeconfig', '/etc/kubernetes/admin.conf'];
const ETCD_TLS = [
  '--endpoints=https://127.0.0.1:2379',
  '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
  '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
  '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
];

async function mustRun(host: string, argv: string[], timeoutMs = 20_000): Promise<string> {
  const result = await inHost(host, argv, { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} in ${host} exited ${result.exitCode}: ${String(result.stderr).trim() || String(result.stdout).trim()}`);
  return String(result.stdout);
}

/** Names of the etcd members, as the local member of a control plane lists them (Debian's real etcdctl). */
export async function etcdMemberNames(host: string): Promise<string[]> {
  const out = await mustRun(host, ['env', 'ETCDCTL_API=3', 'etcdctl', ...ETCD_TLS, 'member', 'list', '-w', 'json']);
  const members = (JSON.parse(out) as { members?: { name?: string }[] }).members ?? [];
  return members.map((member) => member.name ?? '').sort();
}

/** Names of the cluster's nodes, through the API (kubectl with admin.conf on a control plane). */
export async function nodeNames(host: string): Promise<string[]> {
  const out = await mustRun(host, ['kubectl', ...ADMIN, 'get', 'nodes', '-o', 'json']);
  return ((JSON.parse(out) as { items?: { metadata?: { name?: string } }[] }).items ?? []).map((node) => node.metadata?.name ?? '').sort();
}

/** `GET https://VIP:6443/healthz` from the coordinator's side: the body ('' when nothing answered). */
export async function healthzThroughVip(vip: string): Promise<string> {
  const result = await inCoordinator(['curl', '-sk', '-m', '3', `https://${vip}:6443/healthz`], { timeoutMs: 5000 });
  return result.exitCode === 0 ? String(result.stdout).trim() : '';
}

/** Whether `kubernetes.default` resolves through cluster DNS from the verify step's pod (kubectl exec on a control plane). */
export async function clusterDnsAnswers(host: string): Promise<boolean> {
  const result = await inHost(host, ['kubectl', ...ADMIN, 'exec', 'kumi-dnsutils', '--', 'nslookup', 'kubernetes.default'], { timeoutMs: 20_000 });
  return result.exitCode === 0;
}

/** A running pod with its own network (not hostNetwork): its node, IP and sandbox netns. */
export interface NetworkedPod {
  name: string;
  node: string;
  ip: string;
  netns: string;
}

/** Running pods that have their own network namespace, through the API (the lab kubelet names the netns cni-<pod uid>). */
export async function podsWithNetwork(host: string): Promise<NetworkedPod[]> {
  const out = await mustRun(host, ['kubectl', ...ADMIN, 'get', 'pods', '-A', '-o', 'json']);
  type Pod = { metadata?: { name?: string; uid?: string }; spec?: { nodeName?: string; hostNetwork?: boolean }; status?: { phase?: string; podIP?: string } };
  return ((JSON.parse(out) as { items?: Pod[] }).items ?? [])
    .filter((pod) => pod.spec?.hostNetwork !== true && pod.status?.phase === 'Running' && pod.status.podIP && pod.spec?.nodeName)
    .map((pod) => ({ name: pod.metadata?.name ?? '', node: pod.spec!.nodeName!, ip: pod.status!.podIP!, netns: podNetnsName(pod.metadata?.uid ?? '') }));
}

/**
 * What `kumi reset` must have removed from a node: files under /etc/kubernetes, etcd data,
 * kumi's firewall rules and record, flannel's links, a running kubelet.
 */
export async function resetLeftovers(host: string): Promise<string[]> {
  const script = [
    'p() { echo "$1"; }',
    '[ -n "$(find /etc/kubernetes -type f 2>/dev/null | head -3)" ] && p "files under /etc/kubernetes: $(find /etc/kubernetes -type f | head -3 | tr "\\n" " ")"',
    '[ -n "$(ls -A /var/lib/etcd 2>/dev/null)" ] && p "etcd data in /var/lib/etcd: $(ls -A /var/lib/etcd | tr "\\n" " ")"',
    'iptables-save 2>/dev/null | grep -q "kumi:" && p "iptables rules with a kumi: comment"',
    'nft list ruleset 2>/dev/null | grep -qi "kumi" && p "nftables rules naming kumi"',
    '[ -e /var/lib/kumi/firewalld-added.json ] && p "firewalld record /var/lib/kumi/firewalld-added.json"',
    'for l in cni0 flannel.1; do ip link show "$l" >/dev/null 2>&1 && p "link $l"; done',
    // The host has its own pid namespace: pgrep sees only its processes. [k] keeps this script out.
    'pgrep -f "/bin/[k]ubelet( |$)" >/dev/null && p "a kubelet is running"',
    'pgrep -x etcd >/dev/null && p "etcd is running"',
    'true',
  ].join('\n');
  const result = await inHost(host, ['sh', '-c', script], { timeoutMs: 20_000 });
  if (result.exitCode !== 0) throw new Error(`cannot inspect ${host}: ${String(result.stderr).trim()}`);
  return String(result.stdout).split('\n').filter(Boolean);
}
