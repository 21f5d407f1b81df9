// Run by root-namespace.test.ts inside `unshare --net --mount`: mounts throwaway tmpfs
// folders over the configuration folders the steps write, then runs steps twice against
// the real root "/". Kernel settings changed here belong to the throwaway network
// namespace; the mounts vanish with the mount namespace. Prints one JSON document.
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { execa } from 'execa';
import { runStep } from '../executor/run-step';
import { kernelModules } from '../steps/kernel-modules/kernel-modules';
import { sysctlKubernetes } from '../steps/sysctl-kubernetes/sysctl-kubernetes';
import { debianFacts } from './host-facts';

const folders = ['/etc/sysctl.d', '/etc/modules-load.d'];
for (const folder of folders) await execa('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=1m', 'kumi-test', folder]);

const spawned: string[][] = [];
const facts = { ...debianFacts, kernel: release() };
const results: Record<string, unknown[]> = {};
for (const step of [kernelModules, sysctlKubernetes]) {
  const options = { root: '/', facts, params: {}, secrets: {}, dryRun: false, spawnObserver: (argv: readonly string[]) => spawned.push([...argv]) };
  // Loading a module is not confined to a namespace: leave kernel.modules out where it would.
  const preview = await runStep(step, { ...options, dryRun: true });
  if (preview.status === 'planned' && preview.planned.some((line) => line.startsWith('run modprobe'))) {
    results[step.id] = [{ status: 'skipped: modules not loaded on this machine' }];
    continue;
  }
  results[step.id] = [await runStep(step, options), await runStep(step, options)];
}
const read = (path: string): Promise<string> => readFile(path, 'utf8');
console.log(
  JSON.stringify({
    results,
    spawned,
    runtime: {
      ipForward: await read('/proc/sys/net/ipv4/ip_forward'),
      bridgeIptables: await read('/proc/sys/net/bridge/bridge-nf-call-iptables'),
      bridgeIp6tables: await read('/proc/sys/net/bridge/bridge-nf-call-ip6tables'),
    },
    files: {
      sysctl: await read('/etc/sysctl.d/kumi-kubernetes.conf'),
      modules: await read('/etc/modules-load.d/kubernetes.conf').catch(() => undefined),
    },
  }),
);
