import { kubeletPodStatus } from './pod-status';
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { ApiClient } from '../common/api-client';
import type { HostEnv } from '../common/host-env';
import { KubeApi, KubeApiError } from '../common/kube-api';
import { rfc3339, type KubeCondition, type KubeObject } from '../common/kube-object';
import { loadKubeconfig } from '../common/kubeconfig';
import { createCa } from '../common/pki';
import { resourceByRest } from '../common/resources';
import { syncFlannelNode, podSandboxIp } from './flannel-node';
import { isFlannelPod, networkReady } from './network';
import { ownerUid, toleratesNode } from './scheduling';
import { stopRemovedStaticPods, syncMirrorPods, syncStaticPods } from './static-pods';
import { serviceRunner } from '../common/service-runner';
import { serialSyncTick } from './sync-loop';
import { ManifestWatch } from './manifest-watch';
import { serveKubeletExec } from './exec-server';
import { type CgroupDriver, cgroupMismatch, type RuntimeCgroupDriverReader } from './cgroup-driver';

const NODES = resourceByRest('', 'nodes');
const PODS = resourceByRest('', 'pods');
const DAEMONSETS = resourceByRest('apps', 'daemonsets');
const CONFIGMAPS = resourceByRest('', 'configmaps');

/** Settings of one kubelet. */
export interface KubeletOptions {
  readonly host: HostEnv;
  readonly kubeconfig: string;
  readonly nodeName: string;
  readonly nodeIp: string;
  readonly version: string;
  readonly now: () => Date;
  readonly syncIntervalMs: number;
  readonly log: (line: string) => void;
  /** KubeletConfiguration cgroupDriver. */
  readonly cgroupDriver: CgroupDriver;
  /** The running runtime's cgroup driver (see cgroup-driver.ts); undefined: not compared. */
  readonly runtimeCgroupDriver?: RuntimeCgroupDriverReader;
}

/**
 * The kubelet stand-in: registers its node, runs the DaemonSet pods and the pods bound to
 * it, binds pending pods it can run (the scheduler's job, done node-side), and posts node
 * status every sync: Ready only once a CNI network config exists (flannel's pod writes it).
 * Serves HTTPS on nodeIp:10250 so others can tell that the node is alive.
 */
export class Kubelet {
  private readonly api: KubeApi;
  private server: https.Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readyAt: string | undefined;
  private manifestWatch: ManifestWatch | undefined;

  constructor(private readonly o: KubeletOptions) {
    this.api = new KubeApi(new ApiClient(loadKubeconfig(o.kubeconfig), { timeoutMs: 5000 }));
  }

  /** Starts the :10250 server and the sync loop. */
  async start(): Promise<void> {
    const self = await createCa(`${this.o.nodeName}@${Math.floor(Date.now() / 1000)}`, 'ECDSA-P256', new Date());
    this.server = https.createServer({ cert: self.certPem, key: self.key.privateKeyPem }, (req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(req.url === '/healthz' ? 'ok' : 'not found');
    });
    // exec: the API server proxies `kubectl exec` here, as to a real kubelet's /exec (exec-server.ts).
    const runner = serviceRunner(this.o.host);
    const execDeps = { api: this.api, nodeName: this.o.nodeName, staticPodRunning: (name: string) => runner.running(name), log: this.o.log };
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void serveKubeletExec(execDeps, req, socket, head).catch((err: unknown) => { this.o.log(`exec failed: ${(err as Error).message}`); socket.destroy(); }));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(10250, this.o.nodeIp, () => resolve());
    });
    const tick = serialSyncTick(() => this.sync(), Math.max(30_000, 10 * this.o.syncIntervalMs), this.o.log);
    // A changed manifest syncs at once (inotify); the interval is the periodic re-list.
    this.manifestWatch = new ManifestWatch(this.o.host, tick);
    this.manifestWatch.ensure();
    tick();
    this.timer = setInterval(() => {
      this.manifestWatch?.ensure();
      tick();
    }, this.o.syncIntervalMs);
  }

  /** Stops the loop and the server. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.manifestWatch?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async registerNode(): Promise<KubeObject> {
    const existing = await this.api.find(NODES, undefined, this.o.nodeName);
    if (existing) return existing;
    this.o.log(`Attempting to register node ${this.o.nodeName}`);
    try {
      return await this.api.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: this.o.nodeName, labels: { 'kubernetes.io/hostname': this.o.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
        spec: {},
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 409) return this.api.get(NODES, undefined, this.o.nodeName);
      throw err;
    }
  }

  private async sync(): Promise<void> {
    const sandboxError = cgroupMismatch(this.o.cgroupDriver, await this.o.runtimeCgroupDriver?.());
    if (sandboxError) this.o.log(sandboxError);
    // Static pods first: on a control plane the API server this kubelet talks to may be one of them.
    // No pod sandbox can be created while the cgroup drivers differ, static pods included.
    if (!sandboxError) await syncStaticPods(this.o.host, this.o.nodeName, serviceRunner(this.o.host), this.o.log);
    await stopRemovedStaticPods(this.o.host, serviceRunner(this.o.host), this.o.log);
    const node = await this.registerNode();
    const now = this.o.now();
    const allPods = await this.api.list(PODS);
    const runner = serviceRunner(this.o.host);
    await syncMirrorPods(this.api, this.o.host, { name: this.o.nodeName, address: this.o.nodeIp }, allPods.filter((p) => p.metadata?.namespace === 'kube-system'), now, this.o.log, (name) => runner.running(name));
    const mine = allPods.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === this.o.nodeName);
    await this.syncDaemonSets(node, mine, now);
    const ready = networkReady(this.o.host);
    if (ready) await this.bindPending(node, allPods);
    await this.syncPodStatus(ready, sandboxError === undefined, now);
    await this.postNodeStatus(node, ready, now);
  }

  private async syncDaemonSets(node: KubeObject, mine: KubeObject[], now: Date): Promise<void> {
    const suffix = crypto.createHash('sha256').update(this.o.nodeName).digest('hex').slice(0, 5);
    for (const ds of await this.api.list(DAEMONSETS)) {
      const template = (ds.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } } | undefined)?.template;
      if (!toleratesNode(template?.spec, node)) continue;
      if (mine.some((p) => ownerUid(p) === ds.metadata?.uid)) continue;
      await this.api.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${ds.metadata?.name ?? 'ds'}-${suffix}`,
          namespace: ds.metadata?.namespace,
          labels: template?.metadata?.labels ?? {},
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name, uid: ds.metadata?.uid, controller: true }],
        },
        spec: { ...((template?.spec ?? {}) as Record<string, unknown>), nodeName: this.o.nodeName },
        status: { phase: 'Pending', hostIP: this.o.nodeIp, startTime: rfc3339(now) },
      }).catch((err: unknown) => {
        if (!(err instanceof KubeApiError && err.code === 409)) throw err;
      });
    }
  }

  /** Binds pending pods this node can run; prefers spreading pods of one owner over nodes. */
  private async bindPending(node: KubeObject, allPods: KubeObject[]): Promise<void> {
    if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) return;
    const mine = allPods.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === this.o.nodeName);
    for (const pod of allPods) {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (spec.nodeName || (pod.status as { phase?: string } | undefined)?.phase !== 'Pending') continue;
      if (!toleratesNode(pod.spec, node)) continue;
      const owner = ownerUid(pod);
      const age = Date.now() - Date.parse(pod.metadata?.creationTimestamp ?? new Date().toISOString());
      if (owner && mine.some((p) => ownerUid(p) === owner) && age < 10_000) continue;
      try {
        const bound = await this.api.client.request('PUT', `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, { ...pod, spec: { ...spec, nodeName: this.o.nodeName } });
        if (bound.status === 200) mine.push(bound.body as KubeObject);
      } catch {
        // another kubelet bound it first (conflict) or the API is away: next sync decides
      }
    }
  }

  /** Pod phases: `sandboxes` false means no pod can start on this node (cgroup driver mismatch). */
  private async syncPodStatus(ready: boolean, sandboxes: boolean, now: Date): Promise<void> {
    const pods = (await this.api.list(PODS)).filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === this.o.nodeName);
    for (const pod of pods) {
      const hostNetwork = (pod.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork === true;
      const runs = sandboxes && (hostNetwork || ready || isFlannelPod(pod));
      const status = (pod.status ?? {}) as { phase?: string; conditions?: KubeCondition[] };
      if (runs && isFlannelPod(pod)) {
        const cm = await this.api.find(CONFIGMAPS, pod.metadata?.namespace, 'kube-flannel-cfg').catch(() => undefined);
        await syncFlannelNode(this.api, this.o.host, { name: this.o.nodeName, ip: this.o.nodeIp }, (cm?.data as Record<string, string> | undefined)?.['net-conf.json']);
      }
      const phase = runs ? 'Running' : 'Pending';
      const podIP = hostNetwork ? this.o.nodeIp : runs && ready ? await podSandboxIp(this.o.host, pod) : undefined;
      const reported = (status as { containerStatuses?: unknown[] }).containerStatuses !== undefined;
      if (reported && status.phase === phase && (status as { podIP?: string }).podIP === podIP && (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === (runs ? 'True' : 'False'))) continue;
      const next = kubeletPodStatus(pod, runs, now, { hostIP: this.o.nodeIp, podIP });
      await this.api.client.request('PUT', `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/status`, { ...pod, status: next }).catch(() => undefined);
    }
  }

  private async postNodeStatus(node: KubeObject, ready: boolean, now: Date): Promise<void> {
    const at = rfc3339(now);
    if (ready && !this.readyAt) {
      this.readyAt = at;
      this.o.log(`Node ${this.o.nodeName} became Ready`);
    }
    const transition = ready ? (this.readyAt ?? at) : at;
    const readyCondition: KubeCondition = ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: at, lastTransitionTime: transition }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized', lastHeartbeatTime: at, lastTransitionTime: transition };
    const status = {
      addresses: [{ type: 'InternalIP', address: this.o.nodeIp }, { type: 'Hostname', address: this.o.nodeName }],
      capacity: { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: at, lastTransitionTime: transition },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', lastHeartbeatTime: at, lastTransitionTime: transition },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', lastHeartbeatTime: at, lastTransitionTime: transition },
        readyCondition,
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { kubeletVersion: this.o.version, operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.24' },
    };
    await this.api.client.request('PUT', `/api/v1/nodes/${this.o.nodeName}/status`, { ...node, status });
  }
}
