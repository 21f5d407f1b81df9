import https from 'node:https';
import YAML from 'yaml';
import type { KubeApi } from '../common/kube-api';
import type { KubeObject } from '../common/kube-object';
import { resourceByRest } from '../common/resources';

const PODS = resourceByRest('', 'pods');
const NODES = resourceByRest('', 'nodes');
const SERVICES = resourceByRest('', 'services');
const CONFIGMAPS = resourceByRest('', 'configmaps');

/** What an emulated program writes and how it ends. */
export interface ProgramResult {
  readonly stdout: string;
  readonly exitCode: number;
}

/** True when the kubelet of a node answers on :10250 (the node is up and reachable). */
function kubeletAlive(address: string, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`https://${address}:10250/healthz`, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The cluster DNS answers while a Running CoreDNS pod sits on a node whose kubelet is alive. */
async function clusterDnsAnswers(api: KubeApi): Promise<boolean> {
  const dnsPods = await api.list(PODS, 'kube-system', '?labelSelector=k8s-app%3Dkube-dns');
  for (const pod of dnsPods) {
    if ((pod.status as { phase?: string } | undefined)?.phase !== 'Running') continue;
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? await api.find(NODES, undefined, nodeName) : undefined;
    const address = ((node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
    if (address && (await kubeletAlive(address))) return true;
  }
  return false;
}

/**
 * The `kubernetes` Service's address. The API server's bootstrap controller keeps it at the first
 * address of --service-cluster-ip-range (k/k pkg/controlplane/controller/kubernetesservice); the
 * lab reads the Service when the API server stores one, else kubeadm's networking.serviceSubnet.
 */
async function kubernetesServiceIp(api: KubeApi): Promise<string | undefined> {
  const svc = await api.find(SERVICES, 'default', 'kubernetes');
  const ip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  if (ip) return ip;
  const cm = await api.find(CONFIGMAPS, 'kube-system', 'kubeadm-config');
  const cluster = YAML.parse((cm?.data as Record<string, string> | undefined)?.ClusterConfiguration ?? '{}') as { networking?: { serviceSubnet?: string } } | null;
  const subnet = cluster?.networking?.serviceSubnet ?? '10.96.0.0/12';
  const octets = (subnet.split(',')[0]?.split('/')[0] ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o))) return undefined;
  return [octets[0], octets[1], octets[2], (octets[3] ?? 0) + 1].join('.');
}

/** The address of NAME.NS.svc.cluster.local, as CoreDNS's kubernetes plugin answers it. */
async function serviceAddress(api: KubeApi, fqdn: string): Promise<string | undefined> {
  const match = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(fqdn);
  if (!match?.[1] || !match[2]) return undefined;
  if (match[1] === 'kubernetes' && match[2] === 'default') return kubernetesServiceIp(api);
  const svc: KubeObject | undefined = await api.find(SERVICES, match[2], match[1]);
  const ip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  return ip && ip !== 'None' ? ip : undefined;
}

/**
 * `nslookup NAME` of the dnsutils image (BIND 9 nslookup) in a pod with dnsPolicy ClusterFirst:
 * /etc/resolv.conf names the cluster DNS Service and the search list NS.svc.cluster.local,
 * svc.cluster.local, cluster.local with ndots:5 (kubelet pkg/kubelet/network/dns/dns.go), so a
 * short name is tried with each search domain first. Answers come from the Services in the API,
 * as CoreDNS serves them; with no CoreDNS reachable the query times out.
 */
export async function nslookup(api: KubeApi, args: string[], podNamespace: string): Promise<ProgramResult> {
  const name = args.filter((a) => !a.startsWith('-'))[0];
  if (!name) return { stdout: '', exitCode: 1 };
  const dnsService = await api.find(SERVICES, 'kube-system', 'kube-dns');
  const server = (dnsService?.spec as { clusterIP?: string } | undefined)?.clusterIP ?? '10.96.0.10';
  if (!(await clusterDnsAnswers(api))) return { stdout: ';; connection timed out; no servers could be reached\n\n', exitCode: 1 };
  const header = `Server:\t\t${server}\nAddress:\t${server}#53\n\n`;
  const absolute = name.endsWith('.');
  const bare = absolute ? name.slice(0, -1) : name;
  const dots = bare.split('.').length - 1;
  const search = [`${podNamespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
  const candidates = absolute ? [bare] : dots >= 5 ? [bare, ...search.map((d) => `${bare}.${d}`)] : [...search.map((d) => `${bare}.${d}`), bare];
  for (const fqdn of candidates) {
    const address = await serviceAddress(api, fqdn);
    if (address) return { stdout: `${header}Name:\t${fqdn}\nAddress: ${address}\n\n`, exitCode: 0 };
  }
  return { stdout: `${header}** server can't find ${bare}: NXDOMAIN\n\n`, exitCode: 1 };
}
