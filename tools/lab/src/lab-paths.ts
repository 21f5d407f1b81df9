import path from 'node:path';

import { labDir } from '@kumi/lab-standins/host/lab-dir';

export { labDir };

/** Name of the private bridge all lab hosts hang on. */
export const BRIDGE = 'kumilab0';
/** The bridge's own address: where the coordinator listens, outside the hosts. */
export const BRIDGE_ADDRESS = '192.0.2.1';
/** The lab network; hosts get no route beyond it. */
export const LAB_PREFIX_LEN = 24;
/** Host-side veth names are this prefix plus the host name (Linux allows 15 characters). */
export const VETH_PREFIX = 'klab-';
/** Marker in every anchor's argv, so a sweep finds anchors of a crashed run. */
export const ANCHOR_MARKER = 'kumi-lab-anchor';
/** nftables table (in the switch namespace, never the machine's) that keeps lab packets on the bridge. */
export const GUARD_TABLE = 'kumi_lab_guard';

/** Paths inside the lab state dir. */
export const labPaths = {
  state: () => path.join(labDir(), 'state.json'),
  clock: () => path.join(labDir(), 'clock'),
  bin: () => path.join(labDir(), 'bin'),
  packages: () => path.join(labDir(), 'packages'),
  host: (host: string) => path.join(labDir(), 'hosts', host),
  hostLayer: (host: string, layer: string) => path.join(labDir(), 'hosts', host, 'fs', layer),
  hostReady: (host: string) => path.join(labDir(), 'hosts', host, 'ready'),
  hostWired: (host: string) => path.join(labDir(), 'hosts', host, 'wired'),
  anchorLog: (host: string) => path.join(labDir(), 'hosts', host, 'anchor.log'),
};

/** Directories each host gets as its own overlay over the machine's, and their layer names. */
export const OVERLAY_DIRS: ReadonlyArray<{ dir: string; layer: string }> = [
  { dir: '/etc', layer: 'etc' },
  { dir: '/usr', layer: 'usr' },
  { dir: '/opt', layer: 'opt' },
  { dir: '/var/lib', layer: 'var-lib' },
  { dir: '/var/log', layer: 'var-log' },
  { dir: '/run', layer: 'run' },
  // root's home: kubeadm steps keep /root/.kube/config and config files there, which must
  // neither be shared between hosts nor touch the machine's own.
  { dir: '/root', layer: 'root' },
];

/** Outside path of a file a host wrote under one of its overlay dirs (upper layer only). */
export function hostFilePath(host: string, pathInHost: string): string {
  if (pathInHost === '/etc/systemd/system' || pathInHost.startsWith('/etc/systemd/system/')) {
    return path.join(labPaths.hostLayer(host, 'systemd-system'), pathInHost.slice('/etc/systemd/system'.length));
  }
  const match = [...OVERLAY_DIRS]
    .sort((a, b) => b.dir.length - a.dir.length)
    .find((o) => pathInHost === o.dir || pathInHost.startsWith(`${o.dir}/`));
  if (!match) throw new Error(`${pathInHost} is not under a host overlay (${OVERLAY_DIRS.map((o) => o.dir).join(' ')})`);
  return path.join(labPaths.hostLayer(host, match.layer), 'upper', pathInHost.slice(match.dir.length));
}
