import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';

/** A Node as `kubectl get node NAME -o json` shows it, or absent. */
export interface NodeFacts {
  exists: boolean;
  /** spec.unschedulable: cordoned. */
  unschedulable: boolean;
}

/** A pod bound to the node, with what kubectl drain looks at. */
export interface NodePod {
  /** "namespace/name". */
  name: string;
  /** The controller owner's kind (ReplicaSet, DaemonSet, ...), undefined for a bare pod. */
  ownerKind: string | undefined;
  /** A static pod's mirror (annotation kubernetes.io/config.mirror): drain never evicts it. */
  mirror: boolean;
  /** Labelled app.kubernetes.io/managed-by=kumi: one of kumi's own probe pods (verify's dnsutils). */
  kumi: boolean;
}

interface Item {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind?: string; controller?: boolean }[] };
  spec?: { nodeName?: string; unschedulable?: boolean };
}

/** kubectl with the step's kubeconfig. */
export function kubectlWith(kubeconfig: string, ...args: string[]): string[] {
  return ['kubectl', '--kubeconfig', kubeconfig, ...args];
}

/** kubectl's answer for a missing object: exit 1 and "(NotFound)" on stderr. */
function notFound(stderr: string): boolean {
  return /\(NotFound\)/.test(stderr);
}

function failed(what: string, result: { exitCode: number; stderr: string }): StepFailure {
  const tail = result.stderr.trim().split('\n').slice(-2).join(' ');
  return new StepFailure('CHECK_FAILED', `kubectl could not ${what} (exit ${result.exitCode}): ${tail}. Fix: check that the API server answers and the kubeconfig is valid.`);
}

/** The Node object, or absent; CHECK_FAILED when the API cannot be read at all. */
export async function readNode(host: HostReader, kubeconfig: string, node: string): Promise<NodeFacts> {
  if (!(await host.exists(kubeconfig))) {
    throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} has no ${kubeconfig}, so kubectl cannot reach the cluster. Fix: run node steps on a control plane (admin.conf) or pass a kubeconfig that exists.`);
  }
  const result = await host.probe(kubectlWith(kubeconfig, 'get', 'node', node, '-o', 'json'));
  if (result.exitCode !== 0) {
    if (notFound(result.stderr)) return { exists: false, unschedulable: false };
    throw failed(`read node ${node}`, result);
  }
  const item = JSON.parse(result.stdout) as Item;
  return { exists: true, unschedulable: item.spec?.unschedulable === true };
}

/**
 * The pods bound to the node. Read from all namespaces and filtered here rather than with
 * --field-selector, so the probe needs only the list every kubectl and API server serve.
 */
export async function readNodePods(host: HostReader, kubeconfig: string, node: string): Promise<NodePod[]> {
  const result = await host.probe(kubectlWith(kubeconfig, 'get', 'pods', '--all-namespaces', '-o', 'json'));
  if (result.exitCode !== 0) throw failed('list pods', result);
  const items = (JSON.parse(result.stdout) as { items?: Item[] }).items ?? [];
  return items
    .filter((item) => item.spec?.nodeName === node)
    .map((item) => ({
      name: `${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`,
      ownerKind: item.metadata?.ownerReferences?.find((owner) => owner.controller === true)?.kind,
      mirror: item.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined,
      kumi: item.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'kumi',
    }));
}

/**
 * The pods `kubectl drain` would evict or delete: kubectl's drain filters skip mirror pods
 * (mirrorPodFilter) and, with --ignore-daemonsets, DaemonSet-managed ones (daemonSetFilter);
 * every other pod is evicted, or makes drain fail with its reason (bare pods without --force).
 * Source: kubernetes/kubectl pkg/drain/filters.go.
 */
export function evictablePods(pods: readonly NodePod[], ignoreDaemonSets: boolean): string[] {
  return pods.filter((pod) => !pod.mirror && !(ignoreDaemonSets && pod.ownerKind === 'DaemonSet')).map((pod) => pod.name);
}

/**
 * kumi's own bare pods on the node ("namespace/name"): verify's dnsutils pod has no
 * controller, so `kubectl drain` without --force would refuse the whole node for it
 * (kubectl pkg/drain/filters.go unreplicatedFilter). kumi deletes them itself before a
 * drain; verify creates its pod again when it next runs.
 */
export function kumiBarePods(pods: readonly NodePod[]): string[] {
  return pods.filter((pod) => pod.kumi && pod.ownerKind === undefined && !pod.mirror).map((pod) => pod.name);
}
