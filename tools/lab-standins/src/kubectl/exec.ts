import https from 'node:https';
import { flag } from '../common/flags';
import type { KubeObject } from '../common/kube-object';
import { readyCondition } from '../common/kube-object';
import { resourceByRest } from '../common/resources';
import { KubeApiError } from '../common/kube-api';
import { KubectlError, type KubectlContext } from './context';

const PODS = resourceByRest('', 'pods');
const NODES = resourceByRest('', 'nodes');

/** True when the kubelet of a node answers on :10250 (the node is up and reachable). */
export function kubeletAlive(address: string, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`https://${address}:10250/healthz`, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function nodeAddress(ctx: KubectlContext, nodeName: string | undefined): Promise<string | undefined> {
  if (!nodeName) return undefined;
  const node = await ctx.api.find(NODES, undefined, nodeName);
  return ((node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
}

const nodeOf = (pod: KubeObject): string | undefined => (pod.spec as { nodeName?: string } | undefined)?.nodeName;

/**
 * `nslookup NAME` inside a pod: resolved by the cluster DNS Service 10.96.0.10, which
 * answers while at least one CoreDNS pod runs on a node that is really alive.
 */
async function nslookup(ctx: KubectlContext, name: string, searchNamespace: string): Promise<void> {
  const dnsPods = await ctx.api.list(PODS, 'kube-system', '?labelSelector=k8s-app%3Dkube-dns');
  let answering = false;
  for (const pod of dnsPods) {
    if ((pod.status as { phase?: string } | undefined)?.phase !== 'Running') continue;
    const address = await nodeAddress(ctx, nodeOf(pod));
    if (address && (await kubeletAlive(address))) {
      answering = true;
      break;
    }
  }
  if (!answering) {
    ctx.out(';; connection timed out; no servers could be reached\n\n');
    throw new KubectlError('command terminated with exit code 1', 1, true);
  }
  const parts = name.split('.');
  const fqdn = parts.length === 1 ? `${name}.${searchNamespace}.svc.cluster.local` : parts.length === 2 ? `${name}.svc.cluster.local` : name;
  const isKubernetes = fqdn === 'kubernetes.default.svc.cluster.local';
  const dnsService = fqdn === 'kube-dns.kube-system.svc.cluster.local';
  ctx.out('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n');
  if (!isKubernetes && !dnsService) {
    ctx.out(`** server can't find ${fqdn}: NXDOMAIN\n\n`);
    throw new KubectlError('command terminated with exit code 1', 1, true);
  }
  ctx.out(`Name:\t${fqdn}\nAddress: ${isKubernetes ? '10.96.0.1' : '10.96.0.10'}\n\n`);
}

/** `kubectl exec [-i] [-t] POD [-n NS] -- COMMAND...` (the dnsutils checks: nslookup). */
export async function runExec(ctx: KubectlContext, positionals: string[]): Promise<void> {
  const [podArg, ...command] = positionals;
  if (!podArg || command.length === 0) throw new KubectlError('you must specify at least one command for the container');
  const podName = podArg.replace(/^pods?\//, '');
  const namespace = flag(ctx.args, 'namespace') ?? 'default';
  let pod: KubeObject;
  try {
    pod = await ctx.api.get(PODS, namespace, podName);
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) throw new KubectlError(`Error from server (NotFound): pods "${podName}" not found`, 1, true);
    throw err;
  }
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running' || readyCondition(pod)?.status !== 'True') throw new KubectlError(`unable to upgrade connection: container not found ("${podName}")`);
  const address = await nodeAddress(ctx, nodeOf(pod));
  if (!address || !(await kubeletAlive(address))) {
    throw new KubectlError(`Error from server: error dialing backend: dial tcp ${address ?? '<none>'}:10250: connect: no route to host`, 1, true);
  }
  const [program, ...programArgs] = command;
  if (program === 'nslookup' && programArgs[0]) return nslookup(ctx, programArgs[programArgs.length - 1] ?? '', namespace);
  throw new KubectlError(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${program ?? ''}": executable file not found in $PATH: unknown (the lab's pods run only nslookup)`, 126, true);
}
