import { createHash } from 'node:crypto';
import { goYaml } from '../common/go-yaml';
import type { HostEnv } from '../common/host-env';
import { manifestHash } from '../common/static-pod-hash';
import { KubeApiError, type KubeApi } from '../common/kube-api';
import { rfc3339, type KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import type { ClusterConfig } from './config';
import type { NodeIdentity } from './pki-phase';
import { etcdClientUrl } from './etcd-phase';

const NODES = resourceByRest('', 'nodes');
const PODS = resourceByRest('', 'pods');
const CONTROL_PLANE_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const MARK_ATTEMPTS = 10;

/** `[upload-config]`: the kubeadm-config and kubelet-config ConfigMaps joining nodes read. */
export async function uploadConfig(api: KubeApi, rawCluster: Record<string, unknown>, cluster: ClusterConfig, log: (line: string) => void): Promise<void> {
  log('[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace');
  const clusterDoc = { ...rawCluster, apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', kubernetesVersion: cluster.kubernetesVersion, controlPlaneEndpoint: cluster.controlPlaneEndpoint, clusterName: cluster.clusterName, certificatesDir: cluster.certificatesDir, encryptionAlgorithm: cluster.encryptionAlgorithm, networking: { dnsDomain: cluster.dnsDomain, podSubnet: cluster.podSubnet || undefined, serviceSubnet: cluster.serviceSubnet } };
  await retryApiCall(() => api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config', namespace: 'kube-system' }, data: { ClusterConfiguration: goYaml(clusterDoc) } }));
  log('[kubelet] Creating a ConfigMap "kubelet-config" in namespace kube-system with the configuration for the kubelets in the cluster');
  await retryApiCall(() => api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubelet-config', namespace: 'kube-system' }, data: { kubelet: goYaml(kubeletConfiguration(cluster)) } }));
}

/**
 * kubeadm retries its create-or-update calls every 500 ms for up to 40 s
 * (kubernetes/kubernetes cmd/kubeadm/app/util/apiclient/idempotency.go CreateOrUpdate*,
 * APICallRetryInterval, APICallWithWriteTimeout; v1.31+): an API server that is briefly away
 * (an upgrade just restarted it, the load balancer has not taken it back yet) is waited for.
 * An answer of the API server (KubeApiError 4xx) is not retried.
 */
async function retryApiCall<T>(call: () => Promise<T>, timeoutMs = 40_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const answered = err instanceof KubeApiError && err.code < 500;
      if (answered || Date.now() + intervalMs > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** The KubeletConfiguration kubeadm writes to /var/lib/kubelet/config.yaml. */
export function kubeletConfiguration(cluster: ClusterConfig): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } },
    cgroupDriver: 'systemd',
    clusterDNS: ['10.96.0.10'],
    clusterDomain: cluster.dnsDomain,
    failSwapOn: true,
    staticPodPath: '/etc/kubernetes/manifests',
  };
}

/** `[bootstrap-token]`: the public cluster-info ConfigMap with the CA and the endpoint. */
export async function createClusterInfo(api: KubeApi, kubeconfig: string, log: (line: string) => void): Promise<void> {
  log('[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace');
  await api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig } });
}

/** `[mark-control-plane]`: control-plane label and taint on the node (created if the kubelet has not registered it yet). */
export async function markControlPlane(api: KubeApi, nodeName: string, log: (line: string) => void): Promise<void> {
  log(`[mark-control-plane] Marking the node ${nodeName} as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]`);
  log(`[mark-control-plane] Marking the node ${nodeName} as control-plane by adding the taints [node-role.kubernetes.io/control-plane:NoSchedule]`);
  const labels = { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' };
  // The kubelet registers the node and posts its status concurrently: like kubeadm's PatchNode,
  // retry when a write collides with it (AlreadyExists on create, Conflict on patch).
  for (let attempt = 1; ; attempt++) {
    try {
      const node = await api.find(NODES, undefined, nodeName);
      if (!node) {
        await api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', ...labels } }, spec: { taints: [CONTROL_PLANE_TAINT] } });
        return;
      }
      const taints = ((node.spec as { taints?: { key: string }[] } | undefined)?.taints ?? []).filter((t) => t.key !== CONTROL_PLANE_TAINT.key);
      await api.patch(NODES, undefined, nodeName, { metadata: { labels }, spec: { taints: [...taints, CONTROL_PLANE_TAINT] } });
      return;
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.code !== 409 || attempt >= MARK_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function mirrorPod(component: string, node: NodeIdentity, annotations: Record<string, string>, now: string, configHash: string): KubeObject {
  // The kubelet copies the static pod's kubernetes.io/config.hash into the mirror pod and marks
  // it with kubernetes.io/config.mirror = that hash (k/k pkg/kubelet/pod/mirror_client.go
  // CreateMirrorPod, v1.28-v1.34); `kubectl drain` skips pods carrying it (k8s.io/kubectl
  // pkg/drain/filters.go mirrorPodFilter) and `kubeadm upgrade` waits for config.hash to change.
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node.name}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.source': 'file', 'kubernetes.io/config.hash': configHash, 'kubernetes.io/config.mirror': configHash, ...annotations },
    },
    spec: { nodeName: node.name, hostNetwork: true, priorityClassName: 'system-node-critical', containers: [{ name: component, image: `registry.k8s.io/${component}` }], tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] },
    status: { phase: 'Running', hostIP: node.address, podIP: node.address, startTime: now, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
  };
}

/**
 * The mirror pods of this node's static control-plane pods (what `kubectl get pods -n
 * kube-system` shows), with the hash of the manifest the kubelet runs; the controller-manager
 * and scheduler have no manifest in the lab and get a fixed one.
 */
export async function createMirrorPods(api: KubeApi, host: HostEnv, node: NodeIdentity, bindPort: number, now: Date): Promise<void> {
  for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) await api.apply(staticPodMirror(component, node, bindPort, now, manifestHash(host, node.name, component)));
}

/** The mirror pod of one static control-plane pod of a node, with the annotations kubeadm reads back (etcd client URL, API endpoint). */
export function staticPodMirror(component: string, node: NodeIdentity, bindPort: number, now: Date, configHash?: string): KubeObject {
  const at = rfc3339(now);
  const annotations: Record<string, string> =
    component === 'etcd' ? { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': etcdClientUrl(node.address) }
      : component === 'kube-apiserver' ? { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${node.address}:${bindPort}` }
        : {};
  return mirrorPod(component, node, annotations, at, configHash ?? createHash('md5').update(`${component}/${node.name}`).digest('hex'));
}

/** Client URLs of the etcd members, from the etcd mirror pods' annotations (as kubeadm reads them). */
export async function etcdEndpoints(api: KubeApi): Promise<string[]> {
  const pods = await api.list(PODS, 'kube-system', '?labelSelector=component%3Detcd');
  return pods.map((p) => p.metadata?.annotations?.['kubeadm.kubernetes.io/etcd.advertise-client-urls'] ?? '').filter((u) => u !== '');
}

/** `[addons]`: CoreDNS (Deployment, 2 replicas, kube-dns Service) and kube-proxy (DaemonSet). */
export async function applyAddons(api: KubeApi, cluster: ClusterConfig, log: (line: string) => void): Promise<void> {
  const dnsLabels = { 'k8s-app': 'kube-dns' };
  await api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: `.:53 {\n    errors\n    health\n    kubernetes ${cluster.dnsDomain} in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n` } });
  await api.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: dnsLabels },
    spec: {
      replicas: 2,
      selector: { matchLabels: dnsLabels },
      template: {
        metadata: { labels: dnsLabels },
        spec: {
          priorityClassName: 'system-cluster-critical',
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' } }] } },
          containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.1', ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }] }],
        },
      },
    },
  });
  await api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels: dnsLabels }, spec: { clusterIP: '10.96.0.10', selector: dnsLabels, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } });
  log('[addons] Applied essential addon: CoreDNS');
  const proxyLabels = { 'k8s-app': 'kube-proxy' };
  await api.apply({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: proxyLabels },
    spec: { selector: { matchLabels: proxyLabels }, template: { metadata: { labels: proxyLabels }, spec: { hostNetwork: true, priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists' }], containers: [{ name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${cluster.kubernetesVersion}` }] } } },
  });
  log('[addons] Applied essential addon: kube-proxy');
}
