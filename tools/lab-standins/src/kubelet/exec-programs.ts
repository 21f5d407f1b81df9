import fs from 'node:fs';
import path from 'node:path';
import type { KubeApi } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { nslookup, type ProgramResult } from './exec-nslookup';

/**
 * How a command runs "in" a container of the lab. The lab runs no container images: the static
 * pods etcd and kube-apiserver are host processes (static-pods.ts), other pods are a network
 * namespace and an API object. So exec can reach the programs those images ship only where the
 * host has them (etcd's image: etcd, etcdctl, etcdutl; the API server's: kube-apiserver), and
 * the `nslookup` of the dnsutils and agnhost images is answered from the cluster's Services (exec-nslookup.ts).
 */
export type ContainerProgram =
  | { readonly kind: 'host'; readonly file: string }
  | { readonly kind: 'emulated'; readonly run: (api: KubeApi, args: string[], namespace: string) => Promise<ProgramResult> }
  | { readonly kind: 'missing' };

/** The programs of the control-plane images the lab runs as host services, by static pod name. */
const STATIC_POD_PROGRAMS: Readonly<Record<string, readonly string[]>> = {
  etcd: ['etcd', 'etcdctl', 'etcdutl'],
  'kube-apiserver': ['kube-apiserver'],
};

/**
 * Images that ship BIND's nslookup: the dnsutils images of the DNS debugging guide and agnhost
 * (k/k test/images/agnhost/Dockerfile installs bind-tools).
 */
const NSLOOKUP_IMAGES = /\/(jessie-)?dnsutils:|\/agnhost:/;

/** True for a mirror pod of a static pod (what the kubelet marks with config.source=file). */
export function isStaticPod(pod: KubeObject): boolean {
  return pod.metadata?.annotations?.['kubernetes.io/config.source'] === 'file';
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a command named by exec (`etcdctl` or `/usr/local/bin/etcdctl`) runs in a pod's container. */
export function containerProgram(pod: KubeObject, container: { name: string; image?: string }, command: string): ContainerProgram {
  const program = path.basename(command);
  if (isStaticPod(pod)) {
    if (!(STATIC_POD_PROGRAMS[container.name] ?? []).includes(program)) return { kind: 'missing' };
    const file = ['/usr/local/bin', '/usr/bin'].map((dir) => path.join(dir, program)).find(executable);
    return file ? { kind: 'host', file } : { kind: 'missing' };
  }
  if (NSLOOKUP_IMAGES.test(container.image ?? '') && program === 'nslookup') return { kind: 'emulated', run: nslookup };
  return { kind: 'missing' };
}
