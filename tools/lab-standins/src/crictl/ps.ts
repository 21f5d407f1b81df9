import crypto from 'node:crypto';
import { flag, type ParsedArgs } from '../common/flags';
import type { HostEnv } from '../common/host-env';
import { serviceRunner } from '../common/service-runner';
import { LAB_STATIC_PODS } from '../kubelet/static-pods';

/** One container as crictl's JSON shows it (cri-api runtime/v1 Container). */
interface ContainerEntry {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  image: { image: string; annotations: Record<string, string>; userSpecifiedImage: string };
  imageRef: string;
  state: 'CONTAINER_RUNNING';
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const hash = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The host's running containers: the lab runs the static pods (etcd, kube-apiserver) as
 * services, one container each, named after the component as kubeadm names them.
 */
function runningContainers(host: HostEnv): ContainerEntry[] {
  const runner = serviceRunner(host);
  return LAB_STATIC_PODS.filter((name) => runner.running(name)).map((name) => {
    const pod = `${name}-${host.hostname}`;
    return {
      id: hash(`container/${pod}/${name}`),
      podSandboxId: hash(`sandbox/${pod}`),
      metadata: { name, attempt: 0 },
      image: { image: `registry.k8s.io/${name}`, annotations: {}, userSpecifiedImage: '' },
      imageRef: `sha256:${hash(`image/${name}`)}`,
      state: 'CONTAINER_RUNNING',
      createdAt: '0',
      labels: { 'io.kubernetes.container.name': name, 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'kube-system' },
      annotations: {},
    };
  });
}

function table(containers: readonly ContainerEntry[]): string {
  const rows = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD'], ...containers.map((c) => [c.id.slice(0, 13), c.imageRef.slice(7, 20), 'About a minute ago', 'Running', c.metadata.name, '0', c.podSandboxId.slice(0, 13), c.labels['io.kubernetes.pod.name'] ?? ''])];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('')).join('\n').concat('\n');
}

/**
 * `crictl ps [--name REGEX] [-q] [-o json|table]`: running containers only (no `-a`), the
 * name filter a regular expression matched against the container name, as cri-tools
 * cmd/crictl/container.go (ListContainers, matchesRegex) does.
 */
export function listContainers(args: ParsedArgs, io: { out: (t: string) => void; err: (t: string) => void }, host: HostEnv): number {
  const pattern = flag(args, 'name');
  let matcher: RegExp | undefined;
  try {
    matcher = pattern === undefined || pattern === '' ? undefined : new RegExp(pattern);
  } catch (err) {
    io.err(`FATA[0000] listing containers: ${(err as Error).message}\n`);
    return 1;
  }
  const containers = runningContainers(host).filter((c) => matcher === undefined || matcher.test(c.metadata.name));
  const format = flag(args, 'output') ?? 'table';
  if (flag(args, 'quiet') !== undefined) io.out(containers.map((c) => `${c.id}\n`).join(''));
  else if (format === 'json') io.out(`${JSON.stringify({ containers }, null, 2)}\n`);
  else if (format === 'table') io.out(table(containers));
  else {
    io.err(`FATA[0000] unsupported output format "${format}"\n`);
    return 1;
  }
  return 0;
}
