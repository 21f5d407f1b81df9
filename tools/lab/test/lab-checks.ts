import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { findAnchorPids, namespaceId, pidsInNetNamespaces } from '../src/host-anchor';
import { readLabState } from '../src/lab-state';

/** Why the lab tests cannot run here, or undefined when they can. */
export function labSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: the lab needs CAP_SYS_ADMIN/CAP_NET_ADMIN for namespaces, veths and overlays';
  for (const tool of ['unshare', 'nsenter', 'ip', 'nft', 'haproxy', 'keepalived', 'curl']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (run tools/setup.sh as root)`;
    }
  }
  return undefined;
}

/** What the machine's own namespaces look like; must be the same after the lab is gone. */
export interface MachineSnapshot {
  links: string;
  routes: string;
  mounts: string;
  nftTables: string;
}

/** Takes a snapshot of the machine's links, routes, mounts and nftables tables. */
export function machineSnapshot(): MachineSnapshot {
  const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return {
    // Only names: counters and flags of unrelated links change on their own.
    links: sh("ip -o link show | awk -F': ' '{print $2}' | sort"),
    routes: sh('ip route show table all | sort'),
    mounts: sh("awk '{print $5, $9, $10}' /proc/self/mountinfo | sort"),
    nftTables: sh('nft list tables | sort'),
  };
}

/** Network namespace ids of the running lab (switch and hosts). */
export function labNetNamespaces(): Set<string> {
  const state = readLabState();
  const ids = new Set<string>();
  if (state?.switch) ids.add(state.switch.netNs);
  for (const h of Object.values(state?.hosts ?? {})) {
    const ns = namespaceId(h.anchorPid, 'net');
    if (ns) ids.add(ns);
  }
  return ids;
}

/** Every process that has a mount referring to the lab dir (a host's overlays). */
export function processesMountingLabDir(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/mountinfo`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Lists what a lab left behind: anchors, processes in its namespaces, mounts, machine changes, its dir. */
export function leftovers(dir: string, netNs: Set<string>, before: MachineSnapshot): string[] {
  const found: string[] = [];
  const anchors = findAnchorPids(dir);
  if (anchors.length > 0) found.push(`anchors: ${anchors.map((a) => `${a.host}/${a.pid}`).join(' ')}`);
  const inNs = pidsInNetNamespaces(netNs);
  if (inNs.length > 0) found.push(`processes in lab netns: ${inNs.join(' ')}`);
  const mounting = processesMountingLabDir(dir);
  if (mounting.length > 0) found.push(`processes with lab mounts: ${mounting.join(' ')}`);
  const after = machineSnapshot();
  for (const key of Object.keys(before) as Array<keyof MachineSnapshot>) {
    if (after[key] !== before[key]) found.push(`machine ${key} changed:\n${before[key]}\n---\n${after[key]}`);
  }
  if (existsSync(dir)) found.push(`lab dir ${dir} still exists`);
  return found;
}
