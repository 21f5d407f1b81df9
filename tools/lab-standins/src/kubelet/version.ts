import { installedPackages, type InstalledPackage } from '../packages/package-db';
import { DEFAULT_KUBEADM_VERSION } from '../kubeadm/version-cmd';

/**
 * The kubelet's version: the installed kubelet package's upstream version ("1.33.2-1.1" deb,
 * "1.33.2-150500.1.1" rpm → v1.33.2), as the real binary is the package's. A loopback host
 * (no package database) names its release in KUMI_STANDIN_KUBEADM_VERSION; else the lab's
 * default release. Read when the kubelet starts: an upgraded package takes effect at the
 * next restart, and Node status.nodeInfo.kubeletVersion follows then.
 */
export function kubeletGitVersion(installed: Readonly<Record<string, InstalledPackage>> = installedPackages(), env: NodeJS.ProcessEnv = process.env): string {
  const upstream = /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(installed.kubelet?.version ?? '')?.[1];
  if (upstream) return `v${upstream}`;
  const loopback = env.KUMI_STANDIN_KUBEADM_VERSION;
  return loopback !== undefined && /^v1\.\d+\.\d+$/.test(loopback) ? loopback : DEFAULT_KUBEADM_VERSION;
}

/** `kubelet --version`: "Kubernetes vX.Y.Z" (k8s.io/component-base/version/verflag: "%s %s", programName, version.Get()). */
export function kubeletVersionLine(version: string): string {
  return `Kubernetes ${version}\n`;
}
