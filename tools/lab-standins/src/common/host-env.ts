import os from 'node:os';
import path from 'node:path';

/**
 * Where a stand-in finds its host's file system and identity.
 *
 * Inside the lab every host has its own mount and UTS namespace, so the real paths
 * (/etc/kubernetes, /var/lib/etcd, /run) and the real host name are used unchanged.
 * Outside the lab (unit tests on loopback) `KUMI_STANDIN_ROOT` moves every path under a
 * temporary folder and `KUMI_STANDIN_HOSTNAME` names the host.
 */
export interface HostEnv {
  /** Folder that plays "/" for this host. */
  readonly root: string;
  /** The host name (node name default). */
  readonly hostname: string;
}

/** Reads the host environment from the process environment. */
export function hostEnv(env: NodeJS.ProcessEnv = process.env): HostEnv {
  return {
    root: env.KUMI_STANDIN_ROOT && env.KUMI_STANDIN_ROOT !== '' ? path.resolve(env.KUMI_STANDIN_ROOT) : '/',
    hostname: env.KUMI_STANDIN_HOSTNAME && env.KUMI_STANDIN_HOSTNAME !== '' ? env.KUMI_STANDIN_HOSTNAME : os.hostname(),
  };
}

/** Maps an absolute host path ("/etc/kubernetes/admin.conf") onto the host's root. */
export function hostPath(host: HostEnv, absolute: string): string {
  if (!absolute.startsWith('/')) throw new Error(`hostPath needs an absolute path, got "${absolute}"`);
  return host.root === '/' ? absolute : path.join(host.root, absolute);
}

/**
 * An absolute path a command line gave a stand-in (`--kubeconfig /etc/kubernetes/admin.conf`),
 * on the host: under the host's root unless it is there already (a path the stand-ins built
 * with hostPath themselves). Inside a lab host, unchanged.
 */
export function argPath(host: HostEnv, given: string): string {
  if (host.root === '/' || !given.startsWith('/')) return given;
  return given === host.root || given.startsWith(`${host.root}/`) ? given : hostPath(host, given);
}

/** The well-known kubeadm paths, relative to the host's "/". */
export const KubePaths = {
  kubernetesDir: '/etc/kubernetes',
  pkiDir: '/etc/kubernetes/pki',
  manifestsDir: '/etc/kubernetes/manifests',
  adminConf: '/etc/kubernetes/admin.conf',
  superAdminConf: '/etc/kubernetes/super-admin.conf',
  kubeletConf: '/etc/kubernetes/kubelet.conf',
  bootstrapKubeletConf: '/etc/kubernetes/bootstrap-kubelet.conf',
  controllerManagerConf: '/etc/kubernetes/controller-manager.conf',
  schedulerConf: '/etc/kubernetes/scheduler.conf',
  kubeletDir: '/var/lib/kubelet',
  kubeletConfig: '/var/lib/kubelet/config.yaml',
  kubeletFlagsEnv: '/var/lib/kubelet/kubeadm-flags.env',
  etcdDataDir: '/var/lib/etcd',
  /** Runtime state of the stand-in "static pods" (pid files, logs). */
  standinRunDir: '/run/kumi-standins',
  standinLogDir: '/var/log/kumi-standins',
  /** Where the control-plane stand-ins remember the node-local settings they were started with. */
  standinStateDir: '/var/lib/kumi-standins',
} as const;
