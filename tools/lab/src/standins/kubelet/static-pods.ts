import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { standinArgv, type ServiceRunner } from '../common/service-runner';

/** A static pod found in the manifest folder: the service it runs as and its command. */
export interface StaticPod {
  readonly name: string;
  readonly argv: string[];
}

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
