import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { flannelDelegate, parseSubnetEnv, SUBNET_ENV_PATH, type PluginConf } from './flannel-cni';

const run = promisify(execFile);

/**
 * Where the CNI plugin binaries are: containerd's default bin_dir /opt/cni/bin (containerd
 * pkg/cri/config/config_unix.go, v1.7), which pkgs.k8s.io's kubernetes-cni fills and flannel's
 * install-cni-plugin init container adds `flannel` to. Debian's /usr/lib/cni is not searched.
 */
export const CNI_PATH = '/opt/cni/bin';
/** Where flannel's plugin keeps the delegate config of each container for DEL (flannel.go defaultDataDir, cni-plugin v1.6.2-flannel1). */
const FLANNEL_DATA_DIR = '/var/lib/cni/flannel';
/** containerd's loopback network (go-cni loopback config, containerd v1.7): lo up in every pod netns. */
const LOOPBACK: PluginConf = { cniVersion: '0.3.1', name: 'cni-loopback', type: 'loopback' };

/** A network configuration list (/etc/cni/net.d/*.conflist). */
interface ConfList {
  name: string;
  cniVersion: string;
  plugins: PluginConf[];
}

/** A pod's network namespace and the address CNI gave its eth0. */
export interface PodNetwork {
  netns: string;
  ip: string;
}

/** The named netns of a pod sandbox, as `ip netns` lists it (containerd names them cni-<uuid>). */
export function podNetnsName(sandboxId: string): string {
  return `cni-${sandboxId.replace(/[^a-z0-9-]/gi, '').slice(0, 36)}`;
}

/** The first network configuration in the directory, in file-name order (what containerd's CRI loads). */
export function loadConfList(confDir: string): ConfList {
  const files = fs.readdirSync(confDir).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort();
  const first = files[0];
  if (!first) throw new Error(`no CNI network configuration in ${confDir}`);
  const parsed = JSON.parse(fs.readFileSync(path.join(confDir, first), 'utf8')) as Partial<ConfList> & PluginConf;
  // A single .conf is one plugin without a list around it.
  if (!Array.isArray(parsed.plugins)) return { name: String(parsed.name), cniVersion: String(parsed.cniVersion ?? ''), plugins: [parsed] };
  return { name: String(parsed.name), cniVersion: String(parsed.cniVersion ?? ''), plugins: parsed.plugins };
}

/** libcni's error for a plugin missing from the bin dirs (containernetworking/cni pkg/invoke/find.go FindInPath). */
function pluginNotFound(type: string): Error {
  return new Error(`failed to find plugin "${type}" in path [${CNI_PATH.split(':').join(' ')}]`);
}

/** Runs one CNI plugin binary (CNI spec 0.3.1/1.0 conventions: config on stdin, result on stdout, errors as JSON). */
function invokePlugin(conf: PluginConf, env: Record<string, string>): Promise<Record<string, unknown>> {
  const binary = CNI_PATH.split(':').map((dir) => path.join(dir, conf.type)).find((file) => fs.existsSync(file));
  if (!binary) return Promise.reject(pluginNotFound(conf.type));
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { env: { ...process.env, ...env, CNI_PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {});
      let message = stderr.trim() || stdout.trim();
      try {
        const error = JSON.parse(stdout) as { msg?: string; details?: string };
        message = [error.msg, error.details].filter(Boolean).join(': ');
      } catch {
        // not a CNI error object: keep the raw text
      }
      reject(new Error(`CNI ${env.CNI_COMMAND} ${conf.type} failed (exit ${code}): ${message}`));
    });
    child.stdin.end(JSON.stringify(conf));
  });
}

/** The plugin config to run for an entry: flannel's entry becomes its bridge delegate (see flannel-cni.ts). */
function resolvePlugin(plugin: PluginConf, list: ConfList, sandboxId: string, command: 'ADD' | 'DEL'): PluginConf {
  if (plugin.type !== 'flannel') return { ...plugin, name: list.name, cniVersion: list.cniVersion };
  // The translation below plays flannel's binary, which must be where libcni looks for it.
  if (!CNI_PATH.split(':').some((dir) => fs.existsSync(path.join(dir, 'flannel')))) throw pluginNotFound('flannel');
  const saved = path.join(FLANNEL_DATA_DIR, sandboxId);
  if (command === 'DEL' && fs.existsSync(saved)) return JSON.parse(fs.readFileSync(saved, 'utf8')) as PluginConf;
  const delegate = flannelDelegate(plugin, list, parseSubnetEnv(fs.readFileSync(SUBNET_ENV_PATH, 'utf8')));
  fs.mkdirSync(FLANNEL_DATA_DIR, { recursive: true });
  fs.writeFileSync(saved, JSON.stringify(delegate));
  return delegate;
}

/** What setting a pod network up touches on the node; tests pass their own. */
export interface PodNetworkOps {
  invoke(conf: PluginConf, env: Record<string, string>): Promise<Record<string, unknown>>;
  addNetns(name: string): Promise<void>;
  delNetns(name: string): Promise<void>;
  address(netns: string): Promise<string | undefined>;
}

const nodeOps: PodNetworkOps = {
  invoke: invokePlugin,
  addNetns: async (name) => {
    await run('ip', ['netns', 'add', name], { timeout: 10_000 }).catch((error: Error) => {
      if (!/File exists/.test(error.message)) throw error;
    });
  },
  delNetns: async (name) => {
    await run('ip', ['netns', 'del', name], { timeout: 10_000 }).catch(() => undefined);
  },
  address: (netns) => podAddress(netns).catch(() => undefined),
};

/**
 * Sets up a pod sandbox's network as containerd's CRI does: a named netns, the loopback plugin
 * on lo, then the node's CNI network list on eth0 in order, each plugin given the previous
 * result. Returns the pod's IPv4 address. Idempotent for an existing netns with an address.
 * A failed ADD is undone as RunPodSandbox does (containerd pkg/cri/server/sandbox_run.go v1.7:
 * "in setupPodNetwork the resource is allocated even if it returns error", so teardownPodNetwork
 * runs CNI DEL, then the netns is removed, only if the teardown worked): no leaked netns or
 * host-local lease.
 */
export async function addPodNetwork(sandboxId: string, confDir: string, ops: PodNetworkOps = nodeOps): Promise<PodNetwork> {
  const netns = podNetnsName(sandboxId);
  const existing = await ops.address(netns);
  if (existing) return { netns, ip: existing };
  const list = loadConfList(confDir);
  await ops.addNetns(netns);
  try {
    const base = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: sandboxId, CNI_NETNS: `/run/netns/${netns}` };
    await ops.invoke(LOOPBACK, { ...base, CNI_IFNAME: 'lo' });
    let previous: Record<string, unknown> | undefined;
    for (const plugin of list.plugins) {
      const conf = resolvePlugin(plugin, list, sandboxId, 'ADD');
      previous = await ops.invoke(previous ? { ...conf, prevResult: previous } : conf, { ...base, CNI_IFNAME: 'eth0' });
    }
    const ip = ((previous?.ips as Array<{ address?: string }> | undefined) ?? [])[0]?.address?.split('/')[0];
    // containerd: `failed to find network info for sandbox` when eth0 has no IP config.
    if (!ip) throw new Error(`failed to find network info for sandbox "${sandboxId}"`);
    return { netns, ip };
  } catch (error) {
    await removePodNetwork(sandboxId, confDir, ops).catch((cleanup: Error) => {
      process.stderr.write(`Failed to destroy network for sandbox "${sandboxId}": ${cleanup.message}\n`);
    });
    throw error;
  }
}

/** Tears a pod sandbox's network down: the list's plugins in reverse order (CNI DEL), then the netns (kept when DEL failed). */
export async function removePodNetwork(sandboxId: string, confDir: string, ops: PodNetworkOps = nodeOps): Promise<void> {
  const netns = podNetnsName(sandboxId);
  const list = fs.existsSync(confDir) ? loadConfList(confDir) : undefined;
  const base = { CNI_COMMAND: 'DEL', CNI_CONTAINERID: sandboxId, CNI_NETNS: `/run/netns/${netns}`, CNI_IFNAME: 'eth0' };
  for (const plugin of [...(list?.plugins ?? [])].reverse()) await ops.invoke(resolvePlugin(plugin, list!, sandboxId, 'DEL'), base);
  fs.rmSync(path.join(FLANNEL_DATA_DIR, sandboxId), { force: true });
  await ops.delNetns(netns);
}

/** The IPv4 address of eth0 in a pod netns, undefined when it has none. */
async function podAddress(netns: string): Promise<string | undefined> {
  const { stdout } = await run('ip', ['-n', netns, '-j', '-4', 'addr', 'show', 'dev', 'eth0'], { timeout: 10_000 });
  const [link] = JSON.parse(stdout) as Array<{ addr_info?: Array<{ local?: string }> }>;
  return link?.addr_info?.[0]?.local;
}
