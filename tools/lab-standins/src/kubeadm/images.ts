import fs from 'node:fs';
import path from 'node:path';
import { type HostEnv, hostPath } from '../common/host-env';
import { KubeadmError } from './kubeadm-error';

/**
 * Versions of the images kubeadm pins per Kubernetes minor (cmd/kubeadm/app/constants of
 * each minor's first release; later patch releases sometimes bump etcd), newest first.
 */
const PINNED_BY_MINOR: ReadonlyArray<{ from: number; coredns: string; pause: string; etcd: string }> = [
  { from: 34, coredns: 'v1.12.1', pause: '3.10.1', etcd: '3.6.4-0' },
  { from: 33, coredns: 'v1.12.0', pause: '3.10', etcd: '3.5.21-0' },
  { from: 32, coredns: 'v1.11.3', pause: '3.10', etcd: '3.5.16-0' },
  { from: 31, coredns: 'v1.11.3', pause: '3.10', etcd: '3.5.15-0' },
  { from: 30, coredns: 'v1.11.1', pause: '3.9', etcd: '3.5.12-0' },
  { from: 29, coredns: 'v1.11.1', pause: '3.9', etcd: '3.5.10-0' },
  { from: 0, coredns: 'v1.10.1', pause: '3.9', etcd: '3.5.9-0' },
];

/** Where the lab records the images "pulled" into a host's runtime (read back by crictl). */
export const PULLED_IMAGES_FILE = '/var/lib/kumi-lab/images.json';

/**
 * `kubeadm config images list` for a version "vX.Y.Z": the control-plane images in kubeadm's
 * order (apiserver, controller-manager, scheduler, proxy, coredns, pause, etcd).
 */
export function imagesFor(kubernetesVersion: string, repository = 'registry.k8s.io'): string[] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
  if (!match) throw new KubeadmError(`couldn't parse Kubernetes version "${kubernetesVersion}": give an exact version such as "v1.34.2"`);
  const version = `v${match[1] ?? ''}.${match[2] ?? ''}.${match[3] ?? ''}`;
  const pinned = PINNED_BY_MINOR.find((p) => Number(match[2]) >= p.from) ?? PINNED_BY_MINOR[PINNED_BY_MINOR.length - 1];
  return [
    ...['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'].map((c) => `${repository}/${c}:${version}`),
    `${repository}/coredns/coredns:${pinned?.coredns ?? ''}`,
    `${repository}/pause:${pinned?.pause ?? ''}`,
    `${repository}/etcd:${pinned?.etcd ?? ''}`,
  ];
}

/** The images recorded as present in this host's runtime. */
export function pulledImages(host: HostEnv): string[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(hostPath(host, PULLED_IMAGES_FILE), 'utf8')) as { images?: unknown };
    return Array.isArray(parsed.images) ? parsed.images.filter((i): i is string => typeof i === 'string') : [];
  } catch {
    return [];
  }
}

/** Records images as present in this host's runtime. */
export function recordPulledImages(host: HostEnv, images: readonly string[]): void {
  const file = hostPath(host, PULLED_IMAGES_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const all = [...new Set([...pulledImages(host), ...images])].sort();
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify({ images: all }, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
