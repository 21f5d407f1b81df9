import fs from 'node:fs';
import YAML from 'yaml';
import { flag, parseArgs } from '../../common/flags';
import { hostEnv, hostPath, KubePaths } from '../../common/host-env';
import { defaultAdvertiseAddress } from '../../kubeadm/config';
import { Kubelet } from '../kubelet';
import { runtimeCgroupDriver } from '../../crictl/cri-client';
import { kubeletCgroupDriver } from '../cgroup-driver';
import { kubeletGitVersion, kubeletVersionLine } from '../version';
import { isCgroup2UnifiedMode } from '../../kubeadm/preflight-cgroups';

/** The minor of a version "v1.35.0". */
const kubeletMinor = (version: string): number => Number(/^v?\d+\.(\d+)/.exec(version)?.[1] ?? 0);

/**
 * kubelet stand-in, run by the kubelet unit (ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS
 * $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS). Like the real kubelet it exits 1 while
 * /var/lib/kubelet/config.yaml is missing (systemd restarts it every 10 s until kubeadm
 * writes it).
 */
async function main(): Promise<void> {
  if (process.argv.slice(2).some((arg) => arg === '--version' || arg === '--version=true')) {
    process.stdout.write(kubeletVersionLine(kubeletGitVersion()));
    return;
  }
  const args = parseArgs(process.argv.slice(2), new Set());
  const host = hostEnv();
  const config = flag(args, 'config') ?? hostPath(host, KubePaths.kubeletConfig);
  if (!fs.existsSync(config)) {
    throw new Error(`"command failed" err="failed to load kubelet config file, path: ${config}, error: failed to load Kubelet config file ${config}, error failed to read kubelet config file \\"${config}\\", error: open ${config}: no such file or directory"`);
  }
  const parsed = YAML.parse(fs.readFileSync(config, 'utf8')) as { failSwapOn?: boolean; cgroupDriver?: unknown; failCgroupV1?: boolean } | null;
  if (parsed?.failSwapOn !== false && swapIsOn(hostPath(host, '/proc/swaps'))) {
    throw new Error('"command failed" err="failed to run Kubelet: running with swap on is not supported, please disable swap or set --fail-swap-on flag to false"');
  }
  // KubeletConfiguration failCgroupV1: false by default up to v1.34, true from v1.35 (k/k
  // pkg/kubelet/apis/config/v1beta1/defaults.go; KEP-5573); on a cgroup v1 host it stops the kubelet.
  const version = kubeletGitVersion();
  if ((parsed?.failCgroupV1 ?? kubeletMinor(version) >= 35) === true && !isCgroup2UnifiedMode()) {
    throw new Error('"command failed" err="failed to validate kubelet configuration, error: kubelet is configured to not run on a host using cgroup v1. cgroup v1 support is unsupported and will be removed in a future release"');
  }
  const kubeconfig = flag(args, 'kubeconfig') ?? hostPath(host, KubePaths.kubeletConf);
  if (!fs.existsSync(kubeconfig)) throw new Error(`"command failed" err="failed to run Kubelet: unable to load bootstrap kubeconfig: stat ${kubeconfig}: no such file or directory"`);
  const kubelet = new Kubelet({
    host,
    kubeconfig,
    nodeName: flag(args, 'hostname-override') ?? host.hostname,
    nodeIp: flag(args, 'node-ip') ?? defaultAdvertiseAddress(),
    version,
    // Heartbeats are machine time: the lab clock moves expiries (tokens, keys), not the kubelet's pulse.
    now: () => new Date(),
    syncIntervalMs: 2000,
    cgroupDriver: kubeletCgroupDriver(parsed),
    // The running runtime's driver over its CRI (what the real kubelet's sandboxes meet); a
    // runtime that does not answer yet is "unknown", as kubeadm's flag names the socket.
    runtimeCgroupDriver: () => runtimeDriverIfServing(hostPath(host, runtimeSocket(flag(args, 'container-runtime-endpoint')))),
    log: (line) => process.stdout.write(`${new Date().toISOString()} kubelet: ${line}\n`),
  });
  await kubelet.start();
  const stop = (): void => {
    void kubelet.stop().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The runtime's cgroup driver over its CRI; undefined while no runtime serves the socket (nothing to compare yet). */
async function runtimeDriverIfServing(socket: string): Promise<'systemd' | 'cgroupfs' | undefined> {
  if (!fs.existsSync(socket)) return undefined;
  return runtimeCgroupDriver(socket).catch(() => undefined);
}

/** The CRI socket path of --container-runtime-endpoint (containerd's when absent, the kubelet's default). */
function runtimeSocket(endpoint: string | undefined): string {
  return (endpoint ?? 'unix:///run/containerd/containerd.sock').replace(/^unix:\/\//, '');
}

/** Active swap per /proc/swaps (inside a lab host it shows the host's own swap table). */
function swapIsOn(procSwaps: string): boolean {
  try {
    return fs.readFileSync(procSwaps, 'utf8').trim().split('\n').length > 1;
  } catch {
    return false;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
