import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { type KubeApi, KubeApiError } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { standinArgv, type ServiceRunner } from '../common/service-runner';
import { staticPodMirror } from '../kubeadm/cluster-objects';
import { staticPodHash } from '../common/static-pod-hash';
import type { NodeIdentity } from '../kubeadm/pki-phase';

const PODS = resourceByRest('', 'pods');

/** A static pod found in the manifest folder: the service it runs as, its command and its config hash. */
export interface StaticPod {
  readonly name: string;
  readonly argv: string[];
  /** kubernetes.io/config.hash of its manifest (common/static-pod-hash.ts). */
  readonly hash: string;
}

/** The static pods the lab can run (kubeadm writes their manifests; the other control-plane components have none). */
export const LAB_STATIC_PODS = ['etcd', 'kube-apiserver'] as const;

/** The programs a static pod container may run in the lab, by its command[0]. */
function programFor(command: string, args: string[]): string[] | undefined {
  if (command === 'etcd') return ['/usr/bin/etcd', ...args];
  if (command === 'kube-apiserver') return standinArgv('kube-apiserver', args);
  return undefined;
}

/** Reads the static pods of this host's manifest folder that the lab can run, hashed for node `nodeName`. */
export function readStaticPods(host: HostEnv, nodeName: string): StaticPod[] {
  const dir = hostPath(host, KubePaths.manifestsDir);
  if (!fs.existsSync(dir)) return [];
  const pods: StaticPod[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const doc = YAML.parse(text) as { metadata?: { name?: string }; spec?: { containers?: { command?: string[] }[] } } | null;
    const name = doc?.metadata?.name;
    const [command, ...args] = doc?.spec?.containers?.[0]?.command ?? [];
    const argv = command ? programFor(command, args) : undefined;
    if (name && argv) pods.push({ name, argv, hash: staticPodHash(nodeName, path.posix.join(KubePaths.manifestsDir, file), text) });
  }
  return pods;
}

/**
 * The config hash a running static pod was started from: the real kubelet finds it in its
 * containers' `io.kubernetes.pod.uid` label (the UID is the hash); the lab keeps it in a file
 * next to the service.
 */
function hashRecord(host: HostEnv, name: string): string {
  return hostPath(host, path.posix.join(KubePaths.standinRunDir, 'static-pods', `${name}.hash`));
}

function runningHash(host: HostEnv, name: string): string | undefined {
  try {
    return fs.readFileSync(hashRecord(host, name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function recordHash(host: HostEnv, name: string, hash: string | undefined): void {
  const file = hashRecord(host, name);
  if (hash === undefined) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${hash}\n`);
}

/** Forgets the config hash of a static pod whose containers were removed (kubeadm reset). */
export function forgetStaticPod(host: HostEnv, name: string): void {
  recordHash(host, name, undefined);
}

/**
 * The kubelet's static pod sync: every manifest in /etc/kubernetes/manifests runs, from the
 * manifest as it is now. A manifest whose config hash changed is a new pod (its UID is the
 * hash), so the old pod's containers are killed and the new ones started (k/k
 * pkg/kubelet/config/file.go + config.go: an UPDATE of a different UID is a REMOVE and an ADD,
 * v1.28-v1.34). This is also what brings etcd and the API server back when a control plane
 * boots again. A pod running without a recorded hash (kubeadm init/join started it) is taken
 * to run its current manifest.
 */
export async function syncStaticPods(host: HostEnv, nodeName: string, runner: ServiceRunner, log: (line: string) => void): Promise<void> {
  for (const pod of readStaticPods(host, nodeName)) {
    if (runner.running(pod.name)) {
      const was = runningHash(host, pod.name);
      if (was === undefined || was === pod.hash) {
        if (was === undefined) recordHash(host, pod.name, pod.hash);
        continue;
      }
      log(`static pod ${pod.name} changed (config hash ${was} -> ${pod.hash}): killing the old pod`);
      await runner.stop(pod.name);
    }
    log(`starting static pod ${pod.name} (config hash ${pod.hash})`);
    await runner.start(pod.name, pod.argv);
    recordHash(host, pod.name, pod.hash);
  }
}

/**
 * The other half of the sync: a static pod whose manifest left the folder is stopped, as the
 * kubelet kills a static pod's containers when its file is removed (how kumi's drill parks a
 * control plane, and kumi's certificate renewal restarts one).
 */
export async function stopRemovedStaticPods(host: HostEnv, runner: ServiceRunner, log: (line: string) => void): Promise<void> {
  const present = new Set(readStaticPods(host, host.hostname).map((pod) => pod.name));
  for (const name of LAB_STATIC_PODS) {
    if (present.has(name) || !runner.running(name)) continue;
    log(`stopping static pod ${name}: its manifest was removed`);
    await runner.stop(name);
    recordHash(host, name, undefined);
  }
}

/**
 * Mirror pods follow the manifests: one for each static pod file (with the annotations
 * kubeadm reads back and the file's config hash). A mirror pod of another hash belongs to
 * the pod's previous version and is deleted, then created anew (k/k pkg/kubelet/kubelet.go
 * SyncPod: `!IsMirrorPodOf(mirrorPod, pod)` → DeleteMirrorPod, then CreateMirrorPod; kubeadm
 * upgrade waits for exactly that hash change). It goes away once its file is removed *and*
 * the static pod has stopped: the kubelet deletes an orphaned mirror pod only when its pod
 * is no longer terminating (k/k pkg/kubelet/kubelet_pods.go HandlePodCleanups,
 * IsPodForMirrorPodTerminatingByFullName), through the API server it talks to. A control
 * plane whose kubelet uses its local API server (ControlPlaneKubeletLocalMode) therefore
 * keeps the mirror pod of its parked kube-apiserver. `systemPods` is the current
 * kube-system pod list; nothing is sent when the API already agrees.
 */
export async function syncMirrorPods(api: KubeApi, host: HostEnv, node: NodeIdentity, systemPods: readonly KubeObject[], now: Date, log: (line: string) => void, running: (name: string) => boolean): Promise<void> {
  const manifests = new Map(readStaticPods(host, node.name).map((pod) => [pod.name, pod]));
  for (const component of LAB_STATIC_PODS) {
    const name = `${component}-${node.name}`;
    const existing = systemPods.find((p) => p.metadata?.name === name);
    const manifest = manifests.get(component);
    if (manifest && existing && existing.metadata?.annotations?.['kubernetes.io/config.mirror'] !== manifest.hash) {
      log(`Deleting mirror pod ${name}: it is not the mirror of the static pod's current version`);
      await api.delete(PODS, 'kube-system', name).catch((err: unknown) => {
        if (!(err instanceof KubeApiError && err.code === 404)) throw err;
      });
    }
    if (manifest && (!existing || existing.metadata?.annotations?.['kubernetes.io/config.mirror'] !== manifest.hash)) {
      await api.create(staticPodMirror(component, node, securePortOf(manifest.argv), now, manifest.hash)).catch((err: unknown) => {
        if (!(err instanceof KubeApiError && err.code === 409)) throw err;
      });
    } else if (!manifest && existing && !running(component)) {
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
