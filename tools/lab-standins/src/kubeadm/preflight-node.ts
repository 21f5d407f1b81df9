import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import zlib from 'node:zlib';
import { type HostEnv, hostPath } from '../common/host-env';
import type { PreflightError } from './preflight';

// The preflight checks of kubernetes/kubernetes cmd/kubeadm/app/preflight/checks.go (v1.28-v1.34)
// that look at the node rather than kubeadm's own files: KubernetesVersion, Firewalld,
// HTTPProxy, HTTPProxyCIDR, SystemVerification, Hostname, KubeletVersion and Service-Kubelet,
// with kubeadm's names, levels and messages.

type Finding = PreflightError | undefined;

/** A finding of a check that reports through warnings only. */
const warning = (check: string, message: string): PreflightError => ({ check, message, warning: true });

/** Runs a command as Go's exec.Command does (PATH lookup); undefined when it is not on the PATH. */
function run(argv: readonly string[]): { status: number; stdout: string } | undefined {
  const [command, ...args] = argv as [string, ...string[]];
  // Bounded only against a hung child: kubeadm itself waits as long as it takes.
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`);
  return { status: result.status ?? -1, stdout: result.stdout };
}

/** initsystem.GetInitSystem (cmd/kubeadm/app/util/initsystem/initsystem_unix.go): systemd when systemctl is on the PATH. */
function systemctl(args: readonly string[]): { status: number; stdout: string } | 'no init system' {
  return run(['systemctl', ...args]) ?? 'no init system';
}
const NO_INIT_SYSTEM = 'no supported init system detected, skipping checking for services';

/**
 * FirewalldCheck: a warning when firewalld is active ("activating" counts, ServiceIsActive);
 * nothing when `systemctl status firewalld` says `Loaded: not-found` (ServiceExists).
 */
export function firewalld(ports: readonly number[]): Finding {
  const status = systemctl(['status', 'firewalld']);
  if (status === 'no init system') return warning('Firewalld', NO_INIT_SYSTEM);
  if (status.stdout.includes('Loaded: not-found')) return undefined;
  const active = systemctl(['is-active', 'firewalld']);
  const state = active === 'no init system' ? '' : active.stdout.trim();
  if (state !== 'active' && state !== 'activating') return undefined;
  return warning('Firewalld', `firewalld is active, please ensure ports [${ports.join(' ')}] are open or your cluster may not function correctly`);
}

/** ServiceCheck{Service: "kubelet"} of addCommonChecks: "Service-Kubelet" warns when the unit is not enabled. */
export function serviceKubelet(): Finding {
  const status = systemctl(['status', 'kubelet']);
  if (status === 'no init system') return warning('Service-Kubelet', NO_INIT_SYSTEM);
  if (status.stdout.includes('Loaded: not-found')) return warning('Service-Kubelet', 'kubelet service does not exist');
  const enabled = systemctl(['is-enabled', 'kubelet']);
  if (enabled !== 'no init system' && enabled.status === 0) return undefined;
  return warning('Service-Kubelet', "kubelet service is not enabled, please run 'systemctl enable kubelet.service'");
}

/** k8s.io/apimachinery pkg/util/validation IsQualifiedName, as HostnameCheck words its findings. */
function qualifiedNameProblems(name: string): string[] {
  const format = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
  const regexError = `must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${format}')`;
  const parts = name.split('/');
  if (parts.length > 2) return [`a qualified name ${regexError} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const part = parts[parts.length - 1] as string;
  const out: string[] = [];
  if (parts.length === 2 && parts[0] === '') out.push('prefix part must be non-empty');
  if (part === '') out.push('name part must be non-empty');
  else if (part.length > 63) out.push('name part must be no more than 63 characters');
  if (!new RegExp(`^${format}$`).test(part)) out.push(`name part ${regexError}`);
  return out;
}

/**
 * HostnameCheck: warnings for a node name that is not a qualified name or does not resolve
 * (net.LookupHost). The lab resolves through the host's /etc/hosts only, so no DNS query
 * leaves a test; a miss reads as Go's "no such host" from the host's first nameserver.
 */
export function hostname(host: HostEnv, nodeName: string): PreflightError[] {
  const out = qualifiedNameProblems(nodeName).map((msg) => warning('Hostname', `invalid node name format "${nodeName}": ${msg}`));
  if (nodeName === 'localhost' || resolvesInHostsFile(host, nodeName)) return out;
  const nameserver = /^nameserver\s+(\S+)/m.exec(readText(hostPath(host, '/etc/resolv.conf')) ?? '')?.[1] ?? '127.0.0.1';
  out.push(warning('Hostname', `hostname "${nodeName}" could not be reached`));
  out.push(warning('Hostname', `hostname "${nodeName}": lookup ${nodeName} on ${net.isIPv6(nameserver) ? `[${nameserver}]` : nameserver}:53: no such host`));
  return out;
}

function resolvesInHostsFile(host: HostEnv, name: string): boolean {
  const text = readText(hostPath(host, '/etc/hosts')) ?? '';
  return text.split('\n').some((line) => {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    return fields.length > 1 && fields.slice(1).some((alias) => alias.toLowerCase() === name.toLowerCase());
  });
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The proxy Go's http.ProxyFromEnvironment picks for an https request to a host (IP literal):
 * HTTPS_PROXY/https_proxy unless NO_PROXY/no_proxy covers it (`*`, the IP, a CIDR holding it);
 * loopback addresses are never proxied (golang.org/x/net/http/httpproxy config.useProxy).
 * A proxy without a scheme is read as http://.
 */
export function proxyFor(ip: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const proxy = env.HTTPS_PROXY || env.https_proxy || '';
  if (proxy === '' || ip === 'localhost' || isLoopback(ip)) return undefined;
  const noProxy = (env.NO_PROXY || env.no_proxy || '').split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  for (const entry of noProxy) {
    if (entry === '*') return undefined;
    if (entry.includes('/') ? cidrContains(entry, ip) : entry.replace(/:\d+$/, '') === ip) return undefined;
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || (net.isIPv4(ip) && ip.startsWith('127.'));
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', bits = ''] = cidr.split('/');
  if (!net.isIPv4(base) || !net.isIPv4(ip)) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4ToInt(ip) / size) === Math.floor(ipv4ToInt(base) / size);
}

/** HTTPProxyCheck: a warning when https to the API endpoint's host would go through a proxy. */
export function httpProxy(hostIp: string, env: NodeJS.ProcessEnv = process.env): Finding {
  const proxy = proxyFor(hostIp, env);
  const url = `https://${net.isIPv6(hostIp) ? `[${hostIp}]:1234` : hostIp}`;
  return proxy === undefined ? undefined : warning('HTTPProxy', `Connection to "${url}" uses proxy "${proxy}". If that is not intended, adjust your proxy settings`);
}

/** HTTPProxyCIDRCheck: the subnet's first address (index 1) through a proxy is a warning; a bad CIDR an error. */
export function httpProxyCidr(cidr: string, env: NodeJS.ProcessEnv = process.env): Finding {
  if (cidr === '') return undefined;
  const [base = '', bits = ''] = cidr.split('/');
  if (!net.isIPv4(base) || !/^\d+$/.test(bits) || Number(bits) > 32) {
    if (net.isIPv6(base)) return undefined;
    return { check: 'HTTPProxyCIDR', message: `error parsing CIDR "${cidr}": invalid CIDR address: ${cidr}` };
  }
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(ipv4ToInt(base) / size) * size + 1;
  const ip = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
  const proxy = proxyFor(ip, env);
  return proxy === undefined ? undefined : warning('HTTPProxyCIDR', `connection to "${cidr}" uses proxy "${proxy}". This may lead to malfunctional cluster setup. Make sure that Pod and Services IP ranges specified correctly as exceptions in proxy configuration`);
}

/** A semantic version "v1.33.2" as [major, minor, patch]. */
function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split(/[.-]/).map(Number);
  return [major, minor, patch];
}

/** KubernetesVersionCheck (init only): a Kubernetes minor newer than kubeadm's is a warning. */
export function kubernetesVersion(kubeadmVersion: string, k8sVersion: string): Finding {
  const [kMajor, kMinor] = parts(kubeadmVersion);
  const [major, minor] = parts(k8sVersion);
  if (major < kMajor || (major === kMajor && minor <= kMinor)) return undefined;
  return warning('KubernetesVersion', `Kubernetes version is greater than kubeadm version. Please consider to upgrade kubeadm. Kubernetes version: ${k8sVersion.replace(/^v/, '')}. Kubeadm version: ${kMajor}.${kMinor}.x`);
}

/** The version in `kubelet --version` output (`Kubernetes v1.33.2` → 1.33.2; preflight/utils.go GetKubeletVersion). */
function parseKubeletVersion(output: string): string | undefined {
  return /^\s*Kubernetes v((0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?)\s*$/.exec(output)?.[1];
}

/** The installed kubelet's version per `kubelet --version`, undefined when it cannot be had. */
export function installedKubeletVersion(): string | undefined {
  const result = run(['kubelet', '--version']);
  return result?.status === 0 ? parseKubeletVersion(result.stdout.trim()) : undefined;
}

/**
 * KubeletVersionCheck: `kubelet --version` must print `Kubernetes vX.Y.Z` (preflight/utils.go
 * GetKubeletVersion); older than kubeadm's minor - 3 (constants.go MinimumKubeletVersion =
 * getSkewedKubernetesVersion(-3)) or a minor above the control plane's is an error.
 */
export function kubeletVersion(kubeadmVersion: string, k8sVersion: string | undefined): Finding {
  const check = 'KubeletVersion';
  const result = run(['kubelet', '--version']);
  if (result === undefined) return { check, message: `couldn't get kubelet version: cannot execute 'kubelet --version': exec: "kubelet": executable file not found in $PATH` };
  if (result.status !== 0) return { check, message: `couldn't get kubelet version: cannot execute 'kubelet --version': exit status ${result.status}` };
  const output = result.stdout.trim();
  const kubelet = parseKubeletVersion(output);
  if (kubelet === undefined) return { check, message: `couldn't get kubelet version: Unable to parse output from Kubelet: ${JSON.stringify(output)}` };
  const [kubeletMajor, kubeletMinor] = parts(kubelet);
  const [kMajor, kMinor] = parts(kubeadmVersion);
  if (kubeletMajor < kMajor || (kubeletMajor === kMajor && kubeletMinor < kMinor - 3)) {
    return { check, message: `Kubelet version "${kubelet}" is lower than kubeadm can support. Please upgrade kubelet` };
  }
  if (k8sVersion !== undefined && k8sVersion !== '') {
    const [major, minor] = parts(k8sVersion);
    if (kubeletMajor > major || kubeletMinor > minor) {
      return { check, message: `the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "${kubelet}" Control plane version: "${k8sVersion.replace(/^v/, '')}"` };
    }
  }
  return undefined;
}

/** The KernelSpec of k8s.io/system-validators validators/types_unix.go at the tag a kubeadm release vendors. */
interface KernelSpec {
  readonly versions: readonly RegExp[];
  readonly note?: string;
  /** From system-validators v1.10.1 (kubeadm v1.34) an unsupported kernel is a warning. */
  readonly versionIsWarning: boolean;
  readonly required: readonly (readonly string[])[];
}

const REQUIRED_V1_8 = ['NAMESPACES', 'NET_NS', 'PID_NS', 'IPC_NS', 'UTS_NS', 'CGROUPS', 'CGROUP_CPUACCT', 'CGROUP_DEVICE', 'CGROUP_FREEZER', 'CGROUP_PIDS', 'CGROUP_SCHED', 'CPUSETS', 'MEMCG', 'INET', 'EXT4_FS', 'PROC_FS', 'NETFILTER_XT_TARGET_REDIRECT', 'NETFILTER_XT_MATCH_COMMENT', 'FAIR_GROUP_SCHED'];
const REQUIRED_V1_9 = [...REQUIRED_V1_8.slice(0, 6), 'CGROUP_BPF', ...REQUIRED_V1_8.slice(6)];
/** Aliases a kernel config option may go by (NETFILTER_XT_TARGET_REDIRECT's older IP_NF_TARGET_REDIRECT). */
const withAliases = (names: readonly string[]): string[][] => names.map((n) => (n === 'NETFILTER_XT_TARGET_REDIRECT' ? [n, 'IP_NF_TARGET_REDIRECT'] : [n]));

/**
 * system-validators per kubeadm release, matched by tag and release dates: v1.8.0 (2022) up to
 * v1.31, v1.9.1 (Nov 2024) for v1.32, v1.10.0 (Jan 2025) for v1.33, v1.10.1 (May 2025) for v1.34.
 */
export function kernelSpecFor(kubeadmMinor: number): KernelSpec {
  if (kubeadmMinor <= 31) return { versions: [/^3\.[1-9][0-9].*$/, /^([4-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$/], versionIsWarning: false, required: withAliases(REQUIRED_V1_8) };
  if (kubeadmMinor === 32) {
    return {
      versions: [/^4\.19.*$/, /^4\.[2-9][0-9].*$/, /^([5-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$/],
      note: 'Recommended LTS version from the 4.x series is 4.19. Any 5.x or 6.x versions are also supported. For cgroups v2 support, the minimal version is 4.15 and the recommended version is 5.8+',
      versionIsWarning: false,
      required: withAliases(REQUIRED_V1_9),
    };
  }
  return {
    versions: [/^5\.4.*$/, /^5\.10.*$/, /^5\.15.*$/, /^([6-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$/],
    note: 'Supported LTS versions from the 5.x series are 5.4, 5.10 and 5.15. Any 6.x version is also supported. For cgroups v2 support, the recommended version is 5.10 or newer',
    versionIsWarning: kubeadmMinor >= 34,
    required: withAliases(REQUIRED_V1_9),
  };
}

/** Where system-validators' KernelValidator looks for the kernel configuration, in its order. */
function kernelConfigPaths(release: string): string[] {
  return ['/proc/config.gz', `/boot/config-${release}`, `/usr/src/linux-${release}/.config`, '/usr/src/linux/.config', `/usr/lib/modules/${release}/config`, `/usr/lib/ostree-boot/config-${release}`, `/usr/lib/kernel/config-${release}`, `/usr/src/linux-headers-${release}/.config`, `/lib/modules/${release}/build/.config`];
}

/** The kernel configuration as CONFIG_X -> y|m|n, or the reason it cannot be read (getKernelConfigReader). */
function kernelConfig(release: string): Map<string, string> | string {
  const file = kernelConfigPaths(release).find((p) => fs.existsSync(p));
  if (file === undefined) {
    const modprobe = spawnSync('modprobe', ['configs'], { encoding: 'utf8', timeout: 10_000 });
    const output = `${modprobe.stdout ?? ''}${modprobe.stderr ?? ''}`;
    const status = modprobe.error !== undefined ? 'exec: "modprobe": executable file not found in $PATH' : `exit status ${modprobe.status ?? -1}`;
    return `unable to load kernel module: "configs", output: ${JSON.stringify(output)}, err: ${status}`;
  }
  const raw = fs.readFileSync(file);
  const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Z0-9_]+)=([myn])/.exec(line.trim());
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

/**
 * SystemVerificationCheck's KernelValidator (k8s.io/system-validators validators/kernel_validator.go):
 * the kernel release against the spec's versions, and every required kernel option built in
 * or as a module. Errors name the check "SystemVerification"; the CgroupsValidator that runs
 * after it is preflight-cgroups.ts.
 */
export function systemVerification(kubeadmMinor: number, release = os.release()): PreflightError[] {
  const spec = kernelSpecFor(kubeadmMinor);
  const out: PreflightError[] = [];
  if (!spec.versions.some((r) => r.test(release))) {
    const message = spec.note === undefined ? `unsupported kernel release: ${release}` : `kernel release ${release} is unsupported. ${spec.note}`;
    out.push({ check: 'SystemVerification', message, warning: spec.versionIsWarning });
  }
  const config = kernelConfig(release);
  if (typeof config === 'string') {
    out.push({ check: 'SystemVerification', message: `failed to parse kernel config: ${config}` });
    return out;
  }
  const bad = spec.required.flatMap((names) => {
    const found = names.find((n) => config.has(`CONFIG_${n}`));
    const value = found === undefined ? undefined : config.get(`CONFIG_${found}`);
    return value === 'y' || value === 'm' ? [] : [`CONFIG_${found ?? names[names.length - 1]}`];
  });
  if (bad.length > 0) out.push({ check: 'SystemVerification', message: `unexpected kernel config: ${bad.join(' ')}` });
  return out;
}
