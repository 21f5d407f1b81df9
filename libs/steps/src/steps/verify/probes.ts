import type { HostReader } from '../../step';
import { KUBERNETES_CA_PATH } from '../common/ca-cert-hash';
import type { CheckResult, NodeState, PodState } from './cluster-state';
import { controlPlanePods, etcdHealth, nodesReady, parseNodes, parsePods } from './cluster-state';
import { httpsGet } from './https-get';
import type { VerifyCheckName, VerifyParams } from './params';

/** The pod verify runs `nslookup` in. */
export const DNSUTILS_POD = 'kumi-dnsutils';
const ETCD_PKI = '/etc/kubernetes/pki/etcd';
const ETCDCTL_ARGS = [
  '--endpoints=https://127.0.0.1:2379',
  `--cacert=${ETCD_PKI}/ca.crt`,
  `--cert=${ETCD_PKI}/peer.crt`,
  `--key=${ETCD_PKI}/peer.key`,
  'endpoint',
  'health',
  '--cluster',
  '-w',
  'json',
];

/** The cluster as kubectl sees it through the kubeconfig (the VIP for admin.conf). */
export interface ClusterView {
  nodes: NodeState[];
  pods: PodState[];
  dnsutilsRunning: boolean;
  /** Set when kubectl could not reach the API. */
  error: string | undefined;
}

/** kubectl with the step's kubeconfig. */
export function kubectl(params: Pick<VerifyParams, 'kubeconfig'>, ...args: string[]): string[] {
  return ['kubectl', '--kubeconfig', params.kubeconfig, ...args];
}

/** Reads nodes, kube-system pods and the dnsutils pod. */
export async function readCluster(host: HostReader, params: Pick<VerifyParams, 'kubeconfig'>): Promise<ClusterView> {
  const nodes = await host.probe(kubectl(params, 'get', 'nodes', '-o', 'json'));
  const pods = await host.probe(kubectl(params, '-n', 'kube-system', 'get', 'pods', '-o', 'json'));
  if (nodes.exitCode !== 0 || pods.exitCode !== 0) {
    return { nodes: [], pods: [], dnsutilsRunning: false, error: (nodes.stderr || pods.stderr).trim().split('\n').slice(-2).join(' ') || 'kubectl failed' };
  }
  const dns = await host.probe(kubectl(params, '-n', 'default', 'get', 'pods', '-o', 'json'));
  const dnsutilsRunning = dns.exitCode === 0 && parsePods(dns.stdout).some((pod) => pod.name === DNSUTILS_POD && pod.running);
  return { nodes: parseNodes(nodes.stdout), pods: parsePods(pods.stdout), dnsutilsRunning, error: undefined };
}

/** Runs each requested check now and returns its named result with evidence. */
export async function runChecks(host: HostReader, params: VerifyParams): Promise<CheckResult[]> {
  const cluster = await readCluster(host, params);
  const results: CheckResult[] = [];
  for (const name of params.checks) results.push(await runCheck(name, host, params, cluster));
  return results;
}

async function runCheck(name: VerifyCheckName, host: HostReader, params: VerifyParams, cluster: ClusterView): Promise<CheckResult> {
  if (cluster.error !== undefined && name !== 'api-via-vip') return { name, ok: false, evidence: `kubectl could not reach the API: ${cluster.error}` };
  switch (name) {
    case 'nodes-ready':
      return nodesReady(cluster.nodes, params.expectedNodes, params.tolerateDown);
    case 'control-plane-pods':
      return controlPlanePods(cluster.nodes, cluster.pods, params.tolerateDown);
    case 'dns': {
      const result = await host.probe(kubectl(params, '-n', 'default', 'exec', DNSUTILS_POD, '--', 'nslookup', 'kubernetes.default'));
      const answer = result.stdout.split('\n').map((line) => line.trim()).filter((line) => /^(Name|Address)/.test(line)).join('; ');
      return { name, ok: result.exitCode === 0 && /Name:\s*kubernetes\.default/.test(result.stdout), evidence: answer || result.stderr.trim().slice(-300) || `exit ${result.exitCode}` };
    }
    case 'api-via-vip': {
      const ca = await host.readFile(KUBERNETES_CA_PATH);
      if (ca === undefined) return { name, ok: false, evidence: `${KUBERNETES_CA_PATH} missing: run verify on a control plane` };
      const answer = await httpsGet(params.endpoint.host, params.endpoint.port, '/healthz', ca, 5_000);
      return {
        name,
        ok: answer.status === 200 && answer.body.trim() === 'ok',
        evidence: answer.error ?? `GET https://${params.endpoint.host}:${params.endpoint.port}/healthz → ${answer.status} "${answer.body.trim().slice(0, 80)}" in ${answer.tookMs} ms`,
      };
    }
    case 'etcd-health':
      return etcdHealth(await etcdctlHealth(host, params, cluster), cluster.nodes, params.tolerateDown);
  }
}

/** etcdctl on the host when installed, else inside a running etcd pod (kubeadm's images ship it). */
async function etcdctlHealth(host: HostReader, params: VerifyParams, cluster: ClusterView): Promise<string> {
  if ((await host.probe(['etcdctl', 'version'])).exitCode === 0 && (await host.exists(`${ETCD_PKI}/peer.key`))) {
    return (await host.probe(['etcdctl', ...ETCDCTL_ARGS])).stdout;
  }
  const pod = cluster.pods.find((candidate) => candidate.component === 'etcd' && candidate.running && !params.tolerateDown.includes(candidate.node));
  if (pod === undefined) return '[]';
  return (await host.probe(kubectl(params, '-n', 'kube-system', 'exec', pod.name, '--', 'etcdctl', ...ETCDCTL_ARGS))).stdout;
}

/** The dnsutils pod manifest (image as in the Kubernetes DNS debugging guide). */
export function dnsutilsManifest(image: string): string {
  return [
    '# Written by kumi (step verify): a pod to test cluster DNS from.',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${DNSUTILS_POD}`,
    '  namespace: default',
    '  labels:',
    '    app.kubernetes.io/managed-by: kumi',
    'spec:',
    '  containers:',
    '  - name: dnsutils',
    `    image: ${image}`,
    '    command: ["sleep", "infinity"]',
    '  restartPolicy: Always',
    '',
  ].join('\n');
}
