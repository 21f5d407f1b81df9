import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';

/** kubeadm's etcd PKI on a control plane; the peer certificate is also a client certificate (kubeadm's etcd-peer profile). */
const ETCD_PKI = '/etc/kubernetes/pki/etcd';
const TLS = ['--endpoints=https://127.0.0.1:2379', `--cacert=${ETCD_PKI}/ca.crt`, `--cert=${ETCD_PKI}/peer.crt`, `--key=${ETCD_PKI}/peer.key`];

/**
 * How etcdctl is reached on this control plane, as verify does: the host's own etcdctl
 * when installed, else the one inside the local etcd static pod (kubeadm's etcd image ships
 * it), through `kubectl exec`. Both talk to the local member with the node's peer certificate.
 */
export type EtcdctlRoute = { kind: 'host' } | { kind: 'pod'; pod: string; kubeconfig: string };

/** One etcd member, as `etcdctl member list` and `endpoint health --cluster` see it. */
export interface EtcdMember {
  /** The member id in hex, as `etcdctl member remove` takes it. */
  id: string;
  /** Empty for a member added but never started. */
  name: string;
  clientUrls: string[];
  healthy: boolean;
}

/** The argv of an etcdctl command over a route. */
export function etcdctlArgv(route: EtcdctlRoute, args: readonly string[]): string[] {
  const etcdctl = ['etcdctl', ...TLS, ...args];
  return route.kind === 'host' ? etcdctl : ['kubectl', '--kubeconfig', route.kubeconfig, '-n', 'kube-system', 'exec', route.pod, '--', ...etcdctl];
}

/** The route to etcdctl on this host; CHECK_FAILED when it is no control plane with etcd. */
export async function etcdctlRoute(host: HostReader, kubeconfig: string, stepId: string): Promise<EtcdctlRoute> {
  if ((await host.probe(['etcdctl', 'version'])).exitCode === 0 && (await host.exists(`${ETCD_PKI}/peer.key`))) return { kind: 'host' };
  if (await host.exists(kubeconfig)) return { kind: 'pod', pod: `etcd-${host.facts.hostName}`, kubeconfig };
  throw new StepFailure(
    'CHECK_FAILED',
    `${host.facts.hostName} has neither etcdctl with ${ETCD_PKI}/peer.key nor ${kubeconfig}, so ${stepId} cannot reach etcd. Fix: run it on a control plane of the cluster.`,
  );
}

/**
 * The members with their health. etcdctl prints member ids as JSON numbers (uint64), which
 * lose digits as JavaScript numbers: they are quoted before parsing and printed in hex, the
 * form `etcdctl member remove` takes (etcdctl/ctlv3/command/member_command.go parses it base 16).
 */
export async function readMembers(host: HostReader, route: EtcdctlRoute): Promise<EtcdMember[]> {
  const list = await host.probe(etcdctlArgv(route, ['member', 'list', '-w', 'json']));
  if (list.exitCode !== 0) throw etcdFailure(host, 'list the etcd members', list);
  const parsed = JSON.parse(list.stdout.replace(/"ID":\s*(\d+)/g, '"ID":"$1"')) as { members?: { ID?: string; name?: string; clientURLs?: string[] }[] };
  const health = await host.probe(etcdctlArgv(route, ['endpoint', 'health', '--cluster', '-w', 'json']));
  // endpoint health exits 1 when an endpoint is unhealthy and still prints every endpoint.
  const endpoints = parseHealth(health.stdout);
  return (parsed.members ?? []).map((member) => {
    const clientUrls = member.clientURLs ?? [];
    return {
      id: BigInt(member.ID ?? '0').toString(16),
      name: member.name ?? '',
      clientUrls,
      healthy: clientUrls.some((url) => endpoints.get(url) === true),
    };
  });
}

function parseHealth(text: string): Map<string, boolean> {
  try {
    const entries = JSON.parse(text) as { endpoint?: string; health?: boolean }[];
    return new Map(entries.map((entry) => [entry.endpoint ?? '', entry.health === true]));
  } catch {
    return new Map();
  }
}

function etcdFailure(host: HostReader, what: string, result: { exitCode: number; stderr: string }): StepFailure {
  const tail = result.stderr.trim().split('\n').slice(-2).join(' ');
  return new StepFailure('CHECK_FAILED', `could not ${what} on ${host.facts.hostName} (exit ${result.exitCode}): ${tail}. Fix: check that the local etcd member runs (crictl ps --name etcd) and its certificates are in place.`);
}

/** Votes etcd needs to commit anything: a majority of its members. */
export function quorumOf(members: number): number {
  return Math.floor(members / 2) + 1;
}

/**
 * Why removing `name` would leave etcd without quorum, or undefined when it is safe: the
 * removal itself must be committed by a majority of the members now, and the members left
 * must still have a healthy majority of their own.
 */
export function quorumProblem(members: readonly EtcdMember[], name: string): string | undefined {
  const healthy = members.filter((member) => member.healthy).length;
  if (healthy < quorumOf(members.length)) {
    return `etcd has ${healthy} healthy member(s) of ${members.length}, fewer than the ${quorumOf(members.length)} it needs to commit a membership change`;
  }
  const left = members.filter((member) => member.name !== name);
  const healthyLeft = left.filter((member) => member.healthy).length;
  if (left.length === 0) return `${name} is etcd's last member`;
  if (healthyLeft < quorumOf(left.length)) {
    return `the ${left.length} member(s) left would have ${healthyLeft} healthy, fewer than the ${quorumOf(left.length)} etcd needs for quorum (unhealthy: ${left.filter((member) => !member.healthy).map((member) => member.name || member.id).join(', ')})`;
  }
  return undefined;
}
