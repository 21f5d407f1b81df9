import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import { KUBERNETES_CA_PATH } from '../common/ca-cert-hash';
import { type ClusterView, DNSUTILS_POD, readCluster } from '../verify/probes';
import type { ApiMonitor, ApiWatch } from './api-monitor';
import { startApiMonitor } from './api-monitor';
import type { DrillParams } from './params';
import { drillParams } from './params';

const MANIFESTS = '/etc/kubernetes/manifests';
/** Where the drill parks the static pod manifests while the node is down. */
export const PARKED = '/etc/kubernetes/kumi-drill-parked';
const ETCD_PKI = '/etc/kubernetes/pki/etcd';
const APISERVER_MANIFEST = 'kube-apiserver.yaml';
const SAMPLE_MS = 250;

/** What drill reads (and the API watch it starts). */
export interface DrillFacts {
  nodeName: string;
  manifests: Record<string, string>;
  parked: Record<string, string>;
  /** How etcd's health is checked while this node is down. */
  etcdCheck: string[] | undefined;
  /**
   * Every CoreDNS replica runs on this node (kubeadm places both on control plane 1: it is
   * the only node when the pod network comes up), and another Ready node could take one.
   */
  dnsOnlyHere: boolean;
  /** Where this node's API server listens: its InternalIP (kube-apiserver may not bind loopback), else 127.0.0.1. */
  apiAddress: string;
  /** Its `--secure-port` (kubeadm's localAPIEndpoint.bindPort, 6443 by default). */
  apiPort: number;
  /** The kubelet's CRI endpoint (what kubeadm gave it), for crictl; undefined: crictl's own configuration. */
  criEndpoint: string | undefined;
  /** Watches the API through the VIP from before the drill until its outputs are read. */
  monitor: ApiMonitor | undefined;
}

/** Outputs of drill. */
export interface DrillOutputs {
  mode: 'stop' | 'poweroff';
  node: string;
  /** Longest time the API did not answer "ok" through the VIP ("stop" mode). */
  apiUnavailableMs: number;
  api: ApiWatch | undefined;
  /** "poweroff": when the node powers off. */
  poweroffAt: string | undefined;
}

/**
 * The failover drill, run on control plane 1. "stop": its static pods and kubelet go down,
 * the API, DNS and etcd are checked through the VIP while it is down, then it comes back;
 * the API is watched throughout and the longest outage reported. "poweroff": the node
 * powers itself off a few seconds after the step ends (verify runs from another host).
 */
export const drill: Step<DrillParams, DrillFacts, DrillOutputs> = {
  id: 'drill',
  title: 'Failover drill: take this control plane down and check the cluster keeps working',
  params: drillParams,

  async check(host, params) {
    const nodeName = host.facts.hostName;
    if (!(await host.exists(params.kubeconfig))) {
      throw new StepFailure('CHECK_FAILED', `${params.kubeconfig} does not exist on ${nodeName}. Fix: run the drill on a control plane.`);
    }
    const cluster = await readCluster(host, params);
    const dnsOnlyHere = corednsOnlyOn(cluster, nodeName);
    const apiAddress = cluster.nodes.find((node) => node.name === nodeName)?.internalIp ?? '127.0.0.1';
    if (params.mode === 'poweroff') return { nodeName, manifests: {}, parked: {}, etcdCheck: undefined, dnsOnlyHere, apiAddress, apiPort: 6443, criEndpoint: undefined, monitor: undefined };
    const manifests = await readFolder(host, MANIFESTS);
    const parked = await readFolder(host, PARKED);
    if (Object.keys(manifests).length === 0 && Object.keys(parked).length === 0) {
      throw new StepFailure('CHECK_FAILED', `${nodeName} has no static pod manifests in ${MANIFESTS}: it is not a kubeadm control plane. Fix: run the drill on control plane 1.`);
    }
    const ca = await host.readFile(KUBERNETES_CA_PATH);
    if (ca === undefined) throw new StepFailure('CHECK_FAILED', `${KUBERNETES_CA_PATH} is missing on ${nodeName}. Fix: run the drill on a control plane.`);
    const maxMs = params.observeMs + 3 * params.timeoutMs;
    const apiPort = securePort(manifests[APISERVER_MANIFEST] ?? parked[APISERVER_MANIFEST]);
    const criEndpoint = await kubeletCriEndpoint(host);
    return { nodeName, manifests, parked, etcdCheck: await etcdCheckFor(host, params, nodeName), dnsOnlyHere, apiAddress, apiPort, criEndpoint, monitor: startApiMonitor(params.endpoint.host, params.endpoint.port, ca, SAMPLE_MS, maxMs) };
  },

  plan(facts, params) {
    const interrupted = params.mode === 'stop' && Object.keys(facts.manifests).length === 0;
    const spread = facts.dnsOnlyHere && !interrupted ? spreadCoreDns(params, facts.nodeName) : [];
    if (params.mode === 'poweroff') {
      return planOf(
        [...spread, { kind: 'run', argv: ['systemd-run', `--on-active=${params.poweroffDelaySeconds}s`, '--unit=kumi-drill-poweroff', 'systemctl', 'poweroff'], why: `power ${facts.nodeName} off in ${params.poweroffDelaySeconds} s, after this step reports` }],
        'unreachable',
      );
    }
    const kubectl = ['kubectl', '--kubeconfig', params.kubeconfig];
    const actions: Action[] = [...spread];
    const down = interrupted ? facts.parked : facts.manifests;
    if (!interrupted) {
      for (const [name, content] of Object.entries(facts.manifests)) {
        actions.push({ kind: 'write', path: `${PARKED}/${name}`, content, mode: 0o600, why: `park ${name} so the kubelet stops that static pod` });
        actions.push({ kind: 'remove', path: `${MANIFESTS}/${name}`, why: `stop static pod ${name.replace(/\.yaml$/, '')}` });
      }
      actions.push(
        ...staticPodsGone(facts, params),
        { kind: 'run', argv: ['systemctl', 'stop', 'kubelet'], why: `stop the kubelet of ${facts.nodeName}` },
        { kind: 'run', argv: ['sleep', String(Math.ceil(params.observeMs / 1000))], why: `keep ${facts.nodeName} down while the API is watched through the VIP` },
        { kind: 'run', argv: [...kubectl, 'get', 'nodes', '-o', 'name'], why: `the API must answer through the VIP with ${facts.nodeName} down (rerun drill to restore it if this fails)` },
        { kind: 'run', argv: [...kubectl, '-n', 'default', 'exec', DNSUTILS_POD, '--', 'nslookup', 'kubernetes.default'], why: `DNS must resolve with ${facts.nodeName} down (needs the dnsutils pod of step verify)` },
      );
      if (facts.etcdCheck !== undefined) actions.push({ kind: 'run', argv: facts.etcdCheck, why: `etcd must keep its quorum with ${facts.nodeName} down` });
    }
    for (const [name, content] of Object.entries(down)) {
      actions.push({ kind: 'write', path: `${MANIFESTS}/${name}`, content, mode: 0o600, why: `bring static pod ${name.replace(/\.yaml$/, '')} back` });
      actions.push({ kind: 'remove', path: `${PARKED}/${name}`, why: 'the drill is over' });
    }
    actions.push(
      { kind: 'run', argv: ['systemctl', 'start', 'kubelet'], why: `start the kubelet of ${facts.nodeName} again` },
      { kind: 'wait', until: { kind: 'tcp', host: facts.apiAddress, port: facts.apiPort }, what: `API server of ${facts.nodeName}`, timeoutMs: params.timeoutMs, intervalMs: 1_000, why: 'the node is back' },
      {
        kind: 'wait',
        until: { kind: 'command', argv: [...kubectl, 'wait', '--for=condition=Ready', `node/${facts.nodeName}`, '--timeout=4s'] },
        what: `node ${facts.nodeName} Ready`,
        timeoutMs: params.timeoutMs,
        intervalMs: 2_000,
        why: 'the node is back',
      },
    );
    return planOf(actions, 'unreachable');
  },

  async outputs(_host, params, facts) {
    if (params.mode === 'poweroff') {
      return { mode: 'poweroff', node: facts.nodeName, apiUnavailableMs: 0, api: undefined, poweroffAt: new Date(Date.now() + params.poweroffDelaySeconds * 1000).toISOString() };
    }
    const api = await facts.monitor?.stop();
    return { mode: 'stop', node: facts.nodeName, apiUnavailableMs: api?.longestOutageMs ?? 0, api, poweroffAt: undefined };
  },
};

/**
 * What a real cluster shows once the kubelet has torn the parked static pods down: this
 * node's API port closed, their containers gone from the runtime, and the API still answering
 * through the VIP. Not the mirror pod: with kubeadm's ControlPlaneKubeletLocalMode (beta and
 * on by default from v1.33, kubernetes/kubernetes cmd/kubeadm/app/features/features.go; KEP-4471)
 * a control plane's kubelet.conf names its *local* API server (init: phases/kubeconfig;
 * join: cmd/kubeadm/app/cmd/phases/join/kubelet.go), and the kubelet deletes an orphaned
 * mirror pod only through that API (pkg/kubelet/kubelet_pods.go, HandlePodCleanups), which
 * is the one just parked: `kubectl wait --for=delete pod/kube-apiserver-NODE` would never end.
 */
function staticPodsGone(facts: DrillFacts, params: DrillParams): Action[] {
  // kubeadm names each static pod's container after its manifest (kube-apiserver.yaml runs container kube-apiserver).
  const containers = Object.keys(facts.manifests).map((file) => file.replace(/\.yaml$/, '')).sort();
  const crictl = ['crictl', ...(facts.criEndpoint === undefined ? [] : ['--runtime-endpoint', facts.criEndpoint])];
  return [
    {
      kind: 'wait',
      until: { kind: 'tcp-closed', host: facts.apiAddress, port: facts.apiPort },
      what: `API server of ${facts.nodeName} stopped (${facts.apiAddress}:${facts.apiPort} closed)`,
      timeoutMs: params.timeoutMs,
      intervalMs: 1_000,
      why: 'the kubelet stops a static pod once its manifest is gone',
    },
    {
      kind: 'wait',
      // crictl ps lists running containers only; --name is a regular expression (cri-tools cmd/crictl/container.go).
      until: { kind: 'command-silent', argv: [...crictl, 'ps', '--name', `^(${containers.join('|')})$`, '-q'] },
      what: `containers ${containers.join(', ')} of ${facts.nodeName} gone`,
      timeoutMs: params.timeoutMs,
      intervalMs: 1_000,
      why: 'the runtime must have stopped them, not only the API server port',
    },
    {
      kind: 'wait',
      until: { kind: 'command', argv: ['kubectl', '--kubeconfig', params.kubeconfig, 'get', '--raw=/readyz'] },
      what: `API ready through ${params.endpoint.host}:${params.endpoint.port} without ${facts.nodeName}`,
      timeoutMs: params.timeoutMs,
      intervalMs: 1_000,
      why: 'the other control planes serve the API while this one is down',
    },
  ];
}

/** `--secure-port` of a kube-apiserver static pod manifest; 6443 (kubeadm's default bindPort) without one. */
export function securePort(manifest: string | undefined): number {
  const value = /--secure-port=(\d+)/.exec(manifest ?? '')?.[1];
  return value === undefined ? 6443 : Number(value);
}

/**
 * The CRI endpoint kubeadm gave the kubelet: `--container-runtime-endpoint` in
 * kubeadm-flags.env (cmd/kubeadm/app/phases/kubelet/flags.go), or containerRuntimeEndpoint
 * in instance-config.yaml (NodeLocalCRISocket, v1.34+) or config.yaml.
 */
async function kubeletCriEndpoint(host: HostReader): Promise<string | undefined> {
  const flags = await host.readFile('/var/lib/kubelet/kubeadm-flags.env');
  const fromFlags = /--container-runtime-endpoint=([^\s"]+)/.exec(flags ?? '')?.[1];
  if (fromFlags !== undefined) return fromFlags;
  for (const file of ['/var/lib/kubelet/instance-config.yaml', '/var/lib/kubelet/config.yaml']) {
    const value = /^containerRuntimeEndpoint:\s*"?([^\s"]+)"?\s*$/m.exec((await host.readFile(file)) ?? '')?.[1];
    if (value !== undefined) return value;
  }
  return undefined;
}

async function readFolder(host: HostReader, folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await host.listDir(folder)) {
    if (!name.endsWith('.yaml')) continue;
    const content = await host.readFile(`${folder}/${name}`);
    if (content !== undefined) files[name] = content;
  }
  return files;
}

/** Whether every CoreDNS pod runs on nodeName while another Ready node could run one. */
function corednsOnlyOn(cluster: ClusterView, nodeName: string): boolean {
  const dns = cluster.pods.filter((pod) => pod.component === 'kube-dns');
  return dns.length > 0 && dns.every((pod) => pod.node === nodeName) && cluster.nodes.some((node) => node.name !== nodeName && node.ready);
}

/**
 * Restarts the CoreDNS rollout so the scheduler spreads it (kubeadm's CoreDNS prefers
 * different hosts), then waits for its pods: with both replicas on the drilled node, DNS
 * would go down with it, which is the single point of failure the drill is meant to rule out.
 */
function spreadCoreDns(params: DrillParams, nodeName: string): Action[] {
  const kubectl = ['kubectl', '--kubeconfig', params.kubeconfig, '-n', 'kube-system'];
  return [
    { kind: 'run', argv: [...kubectl, 'rollout', 'restart', 'deployment/coredns'], why: `every CoreDNS replica runs on ${nodeName}: spread them before it goes down` },
    {
      kind: 'wait',
      until: { kind: 'command', argv: [...kubectl, 'wait', '--for=condition=Ready', 'pod', '-l', 'k8s-app=kube-dns', '--timeout=4s'] },
      what: 'CoreDNS pods Ready after the restart',
      timeoutMs: params.timeoutMs,
      intervalMs: 2_000,
      why: 'DNS must have a replica off this node',
    },
  ];
}

/** etcdctl on the host against the other members, else inside another node's etcd pod. */
async function etcdCheckFor(host: HostReader, params: DrillParams, nodeName: string): Promise<string[] | undefined> {
  const cluster = await readCluster(host, params);
  const tls = [`--cacert=${ETCD_PKI}/ca.crt`, `--cert=${ETCD_PKI}/peer.crt`, `--key=${ETCD_PKI}/peer.key`];
  const others = cluster.nodes.filter((node) => node.controlPlane && node.name !== nodeName && node.internalIp !== undefined);
  if ((await host.probe(['etcdctl', 'version'])).exitCode === 0 && others.length > 0) {
    return ['etcdctl', `--endpoints=${others.map((node) => `https://${node.internalIp}:2379`).join(',')}`, ...tls, 'endpoint', 'health'];
  }
  const pod = cluster.pods.find((candidate) => candidate.component === 'etcd' && candidate.running && candidate.node !== nodeName);
  if (pod === undefined) return undefined;
  return ['kubectl', '--kubeconfig', params.kubeconfig, '-n', 'kube-system', 'exec', pod.name, '--', 'etcdctl', '--endpoints=https://127.0.0.1:2379', ...tls, 'endpoint', 'health'];
}
