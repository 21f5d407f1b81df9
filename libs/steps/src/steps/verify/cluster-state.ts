/** A node as `kubectl get nodes -o json` shows it. */
export interface NodeState {
  name: string;
  ready: boolean;
  controlPlane: boolean;
  internalIp: string | undefined;
}

/** A kube-system pod as `kubectl get pods -o json` shows it. */
export interface PodState {
  name: string;
  node: string;
  /** The component label (kube-apiserver, etcd, ...) or k8s-app (kube-dns). */
  component: string | undefined;
  running: boolean;
}

interface Item {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[]; addresses?: { type?: string; address?: string }[] };
}

/** Nodes from `kubectl get nodes -o json`. */
export function parseNodes(json: string): NodeState[] {
  return ((JSON.parse(json) as { items?: Item[] }).items ?? []).map((item) => ({
    name: item.metadata?.name ?? '',
    ready: item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    controlPlane: item.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined,
    internalIp: item.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
  }));
}

/** Pods from `kubectl get pods -o json`: running means phase Running and condition Ready. */
export function parsePods(json: string): PodState[] {
  return ((JSON.parse(json) as { items?: Item[] }).items ?? []).map((item) => ({
    name: item.metadata?.name ?? '',
    node: item.spec?.nodeName ?? '',
    component: item.metadata?.labels?.['component'] ?? item.metadata?.labels?.['k8s-app'],
    running: item.status?.phase === 'Running' && (item.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false),
  }));
}

/** The control-plane components kubeadm runs as static pods on every control plane. */
export const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;

/** One named verification result with its evidence. */
export interface CheckResult {
  name: string;
  ok: boolean;
  evidence: string;
}

/** nodes-ready: every expected node Ready (tolerated ones may be down). */
export function nodesReady(nodes: readonly NodeState[], expected: readonly string[], tolerateDown: readonly string[]): CheckResult {
  const names = expected.length > 0 ? expected : nodes.map((node) => node.name);
  const missing = names.filter((name) => !nodes.some((node) => node.name === name));
  const notReady = nodes.filter((node) => names.includes(node.name) && !node.ready && !tolerateDown.includes(node.name)).map((node) => node.name);
  const evidence = nodes.map((node) => `${node.name} ${node.ready ? 'Ready' : 'NotReady'}${tolerateDown.includes(node.name) ? ' (tolerated)' : ''}`);
  if (missing.length > 0) evidence.push(`missing: ${missing.join(', ')}`);
  return { name: 'nodes-ready', ok: names.length > 0 && missing.length === 0 && notReady.length === 0, evidence: evidence.join('; ') };
}

/** control-plane-pods: each component Running on every control plane that is not tolerated down, and CoreDNS running. */
export function controlPlanePods(nodes: readonly NodeState[], pods: readonly PodState[], tolerateDown: readonly string[]): CheckResult {
  const planes = nodes.filter((node) => node.controlPlane && !tolerateDown.includes(node.name)).map((node) => node.name);
  const evidence: string[] = [];
  let ok = planes.length > 0;
  for (const component of CONTROL_PLANE_COMPONENTS) {
    const running = pods.filter((pod) => pod.component === component && pod.running && planes.includes(pod.node)).length;
    evidence.push(`${component} ${running}/${planes.length}`);
    if (running < planes.length) ok = false;
  }
  const dns = pods.filter((pod) => pod.component === 'kube-dns' && pod.running).length;
  evidence.push(`coredns ${dns} running`);
  if (dns === 0) ok = false;
  return { name: 'control-plane-pods', ok, evidence: evidence.join(', ') };
}

/** etcd-health from `etcdctl endpoint health --cluster -w json`: a quorum healthy, the unhealthy ones tolerated. */
export function etcdHealth(json: string, nodes: readonly NodeState[], tolerateDown: readonly string[]): CheckResult {
  let entries: { endpoint?: string; health?: boolean; error?: string }[];
  try {
    entries = JSON.parse(json) as typeof entries;
  } catch {
    return { name: 'etcd-health', ok: false, evidence: `unreadable etcdctl output: ${json.slice(0, 200)}` };
  }
  const tolerated = nodes.filter((node) => tolerateDown.includes(node.name)).map((node) => node.internalIp);
  const healthy = entries.filter((entry) => entry.health === true).length;
  const untolerated = entries.filter((entry) => entry.health !== true && !tolerated.some((ip) => ip !== undefined && entry.endpoint?.includes(`//${ip}:`)));
  return {
    name: 'etcd-health',
    ok: entries.length > 0 && healthy > entries.length / 2 && untolerated.length === 0,
    evidence: `${healthy}/${entries.length} members healthy: ${entries.map((entry) => `${entry.endpoint ?? '?'} ${entry.health === true ? 'healthy' : `unhealthy${entry.error ? ` (${entry.error})` : ''}`}`).join(', ')}`,
  };
}
