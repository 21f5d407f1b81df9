import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type HostEnv, hostPath } from '../common/host-env';
import { insideLabHost } from '../common/service-runner';
import { minorOf } from './features';
import { KubeadmError } from './kubeadm-error';
import { firewalld, hostname, httpProxy, httpProxyCidr, installedKubeletVersion, kubeletVersion, kubernetesVersion, serviceKubelet, systemVerification } from './preflight-node';
import { machineCgroupFacts, validateCgroups } from './preflight-cgroups';

// kubeadm's preflight checks as kubernetes/kubernetes cmd/kubeadm/app/preflight/checks.go and
// checks_linux.go have them (v1.28-v1.34), in kubeadm's order: each check has kubeadm's name,
// and finds errors (fatal unless ignored) or warnings. The node checks (SystemVerification,
// Hostname, HTTPProxy, KubeletVersion, Firewalld...) are in preflight-node.ts.

/** One preflight finding, named as kubeadm names its checks. */
export interface PreflightError {
  readonly check: string;
  readonly message: string;
  /** A warning never stops kubeadm; an error does unless its check is ignored. */
  readonly warning?: boolean;
}

type Finding = PreflightError | undefined;

/** kubeadm's FileAvailable check: the file must not exist yet. */
export function fileAvailable(host: HostEnv, file: string): Finding {
  return fs.existsSync(hostPath(host, file)) ? { check: `FileAvailable-${file.replace(/\//g, '-')}`, message: `${file} already exists` } : undefined;
}

/** kubeadm's DirAvailable check: the directory must be absent or empty. */
export function dirAvailable(host: HostEnv, dir: string): Finding {
  const full = hostPath(host, dir);
  return fs.existsSync(full) && fs.readdirSync(full).length > 0 ? { check: `DirAvailable-${dir.replace(/\//g, '-')}`, message: `${dir} is not empty` } : undefined;
}

/**
 * kubeadm's PortOpenCheck listens on ":PORT" (every address). In a lab host (its own network
 * namespace) the stand-in does the same; loopback hosts share the machine's ports, so there it
 * listens on the host's own address.
 */
export async function portOpen(host: HostEnv, address: string, port: number): Promise<Finding> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, insideLabHost(host) ? undefined : address, () => server.close(() => resolve(true)));
  });
  return free ? undefined : { check: `Port-${port}`, message: `Port ${port} is in use` };
}

/** FileContentCheck: the file must start with the content ("1" for the sysctls). */
function fileContent(host: HostEnv, file: string, content: string): Finding {
  const check = `FileContent-${file.replace(/\//g, '-')}`;
  let text: string;
  try {
    text = fs.readFileSync(hostPath(host, file), 'utf8');
  } catch {
    return { check, message: `${file} does not exist` };
  }
  return text.startsWith(content) ? undefined : { check, message: `${file} contents are not set to ${content}` };
}

/** InPathCheck: mandatory executables are errors, the others warnings ("FileExisting-X"). */
function inPath(executable: string, mandatory: boolean, pathEnv = process.env.PATH ?? ''): Finding {
  const found = pathEnv.split(':').some((dir) => dir !== '' && isExecutable(path.join(dir, executable)));
  if (found) return undefined;
  return { check: `FileExisting-${executable}`, message: `${executable} not found in system path`, warning: !mandatory };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Why nothing answers on a CRI socket (a host path), in Go's dial words ("no such file or
 * directory", "connection refused"), or undefined when something accepts the connection.
 */
export function criDialProblem(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (error: string | undefined): void => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(2000, () => done('i/o timeout'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'ECONNREFUSED' ? 'connection refused' : err.message));
  });
}

/** ContainerRuntimeCheck ("CRI"): the runtime must answer on the CRI socket. */
async function criRunning(host: HostEnv, criSocket: string): Promise<Finding> {
  const socketPath = criSocket.replace(/^unix:\/\//, '');
  const problem = await criDialProblem(hostPath(host, socketPath));
  if (problem === undefined) return undefined;
  // v1.29+ asks the CRI API itself (cmd/kubeadm/app/util/runtime/runtime.go IsRunning), no crictl.
  return { check: 'CRI', message: `container runtime is not running: validate service connection: validate CRI v1 runtime API for endpoint "${criSocket}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${socketPath}: connect: ${problem}"` };
}

/** SwapCheck: active swap is a warning since v1.28 (the kubelet may run with swap on cgroup v2). */
function swap(host: HostEnv, kubeadmMinor: number): Finding {
  let lines: string[];
  try {
    lines = fs.readFileSync(hostPath(host, '/proc/swaps'), 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  if (lines.length <= 1) return undefined;
  const message = kubeadmMinor >= 30
    ? 'swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node'
    : 'swap is supported for cgroup v2 only; the NodeSwap feature gate of the kubelet is beta but disabled by default';
  return { check: 'Swap', message, warning: true };
}

/** addIPv4Checks: ip_forward, and bridge-nf-call-iptables until v1.29 (removed by kubernetes/kubernetes#123464 in v1.30). */
function ipv4(host: HostEnv, kubeadmMinor: number): Finding[] {
  return [
    ...(kubeadmMinor <= 29 ? [fileContent(host, '/proc/sys/net/bridge/bridge-nf-call-iptables', '1')] : []),
    fileContent(host, '/proc/sys/net/ipv4/ip_forward', '1'),
  ];
}

/** addExecChecks (checks_linux.go): conntrack only for Kubernetes < v1.32 (kubernetes/kubernetes#126952). */
function execs(kubernetesVersion: string | undefined): Finding[] {
  const conntrack = kubernetesVersion !== undefined && minorOf(kubernetesVersion) < 32 ? [inPath('conntrack', true)] : [];
  return [
    ...conntrack,
    inPath('ip', true),
    inPath('iptables', true),
    inPath('mount', true),
    inPath('nsenter', true),
    inPath('ebtables', false),
    inPath('ethtool', false),
    inPath('socat', false),
    inPath('tc', false),
    inPath('touch', false),
  ];
}

/**
 * addCommonChecks: CRI, swap, executables, SystemVerification, Hostname, KubeletVersion, the
 * kubelet unit, the kubelet port. A join passes no Kubernetes version (no conntrack check, no
 * kubelet-newer-than-control-plane check).
 */
async function commonChecks(host: HostEnv, o: PreflightInput & { kubeadmMinor: number }): Promise<Finding[]> {
  return [
    await criRunning(host, o.criSocket),
    swap(host, o.kubeadmMinor),
    ...execs(o.kubernetesVersion),
    ...systemVerification(o.kubeadmMinor),
    ...validateCgroups(o.kubeadmMinor, machineCgroupFacts(), o.kubeadmMinor >= 35 ? installedKubeletVersion() : undefined),
    ...hostname(host, o.nodeName),
    kubeletVersion(o.kubeadmVersion, o.kubernetesVersion),
    serviceKubelet(),
    await portOpen(host, o.nodeAddress, 10250),
  ];
}

/** What the checks of one kubeadm run need to know. */
export interface PreflightInput {
  readonly kubeadmVersion: string;
  readonly kubernetesVersion?: string;
  readonly criSocket: string;
  readonly nodeAddress: string;
  /** nodeRegistration.name (HostnameCheck). */
  readonly nodeName: string;
}

/** What `kubeadm init` (and a control-plane join) checks beyond the common part. */
export interface InitPreflightInput extends PreflightInput {
  readonly bindPort: number;
  readonly etcdDataDir: string;
  readonly secondary: boolean;
  /** networking.serviceSubnet and podSubnet, comma-separated as in the config (HTTPProxyCIDR). */
  readonly serviceSubnet: string;
  readonly podSubnet: string;
}

/**
 * InitNodeChecks for `kubeadm init` and, with `secondary`, for the control-plane part of
 * `kubeadm join` (no common checks there: the join's node checks ran them).
 */
export async function initNodeChecks(host: HostEnv, input: InitPreflightInput): Promise<Finding[]> {
  const minor = minorOf(input.kubeadmVersion);
  const cpus = os.cpus().length;
  const memMb = Math.floor(os.totalmem() / 1024 / 1024);
  const manifests = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].map((c) => fileAvailable(host, `/etc/kubernetes/manifests/${c}.yaml`));
  const cidrs = [...input.serviceSubnet.split(','), ...input.podSubnet.split(',')];
  return [
    cpus < 2 ? { check: 'NumCPU', message: `the number of available CPUs ${cpus} is less than the required 2` } : undefined,
    memMb < 1700 ? { check: 'Mem', message: `the system RAM (${memMb} MB) is less than the minimum 1700 MB` } : undefined,
    input.kubernetesVersion === undefined ? undefined : kubernetesVersion(input.kubeadmVersion, input.kubernetesVersion),
    firewalld([input.bindPort, 10250]),
    await portOpen(host, input.nodeAddress, input.bindPort),
    await portOpen(host, input.nodeAddress, 10259),
    await portOpen(host, input.nodeAddress, 10257),
    ...manifests,
    httpProxy(input.nodeAddress),
    ...cidrs.map((cidr) => httpProxyCidr(cidr.trim())),
    ...(input.secondary ? [] : [...(await commonChecks(host, { kubeadmMinor: minor, ...input })), ...ipv4(host, minor)]),
    await portOpen(host, input.nodeAddress, 2379),
    await portOpen(host, input.nodeAddress, 2380),
    dirAvailable(host, input.etcdDataDir),
  ];
}

/**
 * JoinNodeChecks for every `kubeadm join`: ca.crt must be absent only on a worker join
 * (`cfg.ControlPlane == nil`); HTTPProxy and the IPv4 checks follow the discovery endpoint's host.
 */
export async function joinNodeChecks(host: HostEnv, input: PreflightInput & { controlPlane: boolean; discoveryEndpoint: string }): Promise<Finding[]> {
  const minor = minorOf(input.kubeadmVersion);
  const endpointHost = /^\[?([^\]]*?)\]?:\d+$/.exec(input.discoveryEndpoint)?.[1];
  return [
    fileAvailable(host, '/etc/kubernetes/kubelet.conf'),
    fileAvailable(host, '/etc/kubernetes/bootstrap-kubelet.conf'),
    ...(await commonChecks(host, { ...input, kubeadmMinor: minor, kubernetesVersion: undefined })),
    input.controlPlane ? undefined : fileAvailable(host, '/etc/kubernetes/pki/ca.crt'),
    ...(endpointHost === undefined ? [] : [httpProxy(endpointHost), ...(net.isIPv4(endpointHost) ? ipv4(host, minor) : [])]),
  ];
}

/**
 * --ignore-preflight-errors and nodeRegistration.ignorePreflightErrors, lower-cased, as
 * ValidateIgnorePreflightErrors (validation.go) merges them: "all" cannot come with others.
 */
export function ignoredChecks(fromFlags: readonly string[], fromConfig: readonly string[]): Set<string> {
  const all = new Set([...fromConfig, ...fromFlags.flatMap((v) => v.split(','))].map((v) => v.trim().toLowerCase()).filter((v) => v !== ''));
  if (all.has('all') && all.size > 1) {
    throw new KubeadmError(`ignore-preflight-errors: Invalid value: "${[...all].sort().join(',')}": don't specify individual checks if 'all' is used`);
  }
  return all;
}

/**
 * RunChecks: warnings (and the errors of ignored checks) go to stderr as "\t[WARNING X]: ..."
 * and kubeadm goes on; any other error stops it with the "Some fatal errors occurred" message.
 */
export function reportPreflight(found: readonly Finding[], ignored: ReadonlySet<string>, warn: (text: string) => void = () => undefined): void {
  const errors: PreflightError[] = [];
  for (const finding of found) {
    if (finding === undefined) continue;
    if (finding.warning || ignored.has('all') || ignored.has(finding.check.toLowerCase())) warn(`\t[WARNING ${finding.check}]: ${finding.message}\n`);
    else errors.push(finding);
  }
  if (errors.length === 0) return;
  const lines = errors.map((e) => `\t[ERROR ${e.check}]: ${e.message}`).join('\n');
  throw new KubeadmError(`[preflight] Some fatal errors occurred:\n${lines}\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``, 'preflight');
}
