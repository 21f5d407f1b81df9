import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { type KubeApi, KubeApiError } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { standinArgv, type ServiceRunner } from '../common/service-runner';
import { staticPodMirror } from '../kubeadm/cluster-objects';
import type { NodeIdentity } from '../kubeadm/pki-phase';

const PODS = resourceByRest('', 'pods');

/** A static pod found in the manifest folder: the service it runs as and its command. */
export interface StaticPod {
  readonly name: string;
  readonly argv: string[];
}

/** The static pods the lab can run (kubeadm writes their manifests; the other control-plane components have none). */
export const LAB_STATIC_PODS = ['etcd', 'kube-apiserver'] as const;

/** The programs a static pod container may run in the lab, by its command[0]. */
function programFor(command: string, args: string[]): string[] | undefined {
  if (command === 'etcd') return ['/usr/bin/etcd', ...args];
  if (command === 'kube-apiserver') return standinArgv('kube-apiserver', args);
  return undefined;
}

/** Reads the static pods of this host's manifest folder that the lab can run. */
export function readStaticPods(host: HostEnv): StaticPod[] {
  const dir = hostPath(host, KubePaths.manifestsDir);
  if (!fs.existsSync(dir)) return [];
  const pods: StaticPod[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { metadata?: { name?: string }; spec?: { containers?: { command?: string[] }[] } } | null;
    const name = doc?.metadata?.name;
    const [command, ...args] = doc?.spec?.containers?.[0]?.command ?? [];
    const argv = command ? programFor(command, args) : undefined;
    if (name && argv) pods.push({ name, argv });
  }
  return pods;
}

/**
 * The kubelet's static pod sync: every manifest in /etc/kubernetes/manifests runs. This is
 * what brings etcd and the API server back when a control plane boots again.
 */
export async function syncStaticPods(host: HostEnv, runner: ServiceRunner, log: (line: string) => void): Promise<void> {
  for (const pod of readStaticPods(host)) {
    if (runner.running(pod.name)) continue;
    log(`starting static pod ${pod.name}`);
    await runner.start(pod.name, pod.argv);
  }
}

/**
 * The other half of the sync: a static pod whose manifest left the folder is stopped, as the
 * kubelet kills a static pod's containers when its file is removed (how kumi's drill parks a
 * control plane).
 */
export async function stopRemovedStaticPods(host: HostEnv, runner: ServiceRunner, log: (line: string) => void): Promise<void> {
  const present = new Set(readStaticPods(host).map((pod) => pod.name));
  for (const name of LAB_STATIC_PODS) {
    if (present.has(name) || !runner.running(name)) continue;
    log(`stopping static pod ${name}: its manifest was removed`);
    await runner.stop(name);
  }
}

/**
 * Mirror pods follow the manifests: one appears for each static pod file (with the
 * annotations kubeadm reads back) and goes away once its file is removed *and* the static pod
 * has stopped: the kubelet deletes an orphaned mirror pod only when its pod is no longer
 * terminating (k/k pkg/kubelet/kubelet_pods.go HandlePodCleanups,
 * IsPodForMirrorPodTerminatingByFullName), through the API server it talks to. A control
 * plane whose kubelet uses its local API server (ControlPlaneKubeletLocalMode) therefore keeps
 * the mirror pod of its parked kube-apiserver. `systemPods` is the current kube-system pod
 * list; nothing is sent when the API already agrees.
 */
export async function syncMirrorPods(api: KubeApi, host: HostEnv, node: NodeIdentity, systemPods: readonly KubeObject[], now: Date, log: (line: string) => void, running: (name: string) => boolean): Promise<void> {
  const manifests = new Map(readStaticPods(host).map((pod) => [pod.name, pod]));
  for (const component of LAB_STATIC_PODS) {
    const name = `${component}-${node.name}`;
    const exists = systemPods.some((p) => p.metadata?.name === name);
    const manifest = manifests.get(component);
    if (manifest && !exists) {
      await api.create(staticPodMirror(component, node, securePortOf(manifest.argv), now)).catch((err: unknown) => {
        if (!(err instanceof KubeApiError && err.code === 409)) throw err;
      });
    } else if (!manifest && exists && !running(component)) {
      log(`Deleting mirror pod ${name}: its static pod manifest is gone`);
      await api.delete(PODS, 'kube-system', name);
    }
  }
}

/** The `--secure-port` of a kube-apiserver argv (6443 when absent). */
export function securePortOf(argv: readonly string[]): number {
  const value = argv.find((a) => a.startsWith('--secure-port='))?.slice('--secure-port='.length);
  return value === undefined ? 6443 : Number(value);
}
