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

/**
 * The parts of the machine's own namespaces a lab could leave traces in. Filtered to what
 * concerns the lab, so other work on the machine (other tests adding loopback addresses,
 * mounts or tables) does not disturb the comparison.
 */
export interface MachineSnapshot {
  /** Links named like the lab's (kumilab0, klab-*). */
  links: string;
  /** Routes over 192.0.2.0/24 or through lab links, all tables. */
  routes: string;
  /** Mount lines of this process's namespace that mention a lab dir or overlayfs. */
  mounts: string;
  /** nftables tables the lab or a host's firewalld would make. */
  nftTables: string;
}

/** Takes a snapshot of the lab-relevant parts of the machine's network, mounts and nftables. */
export function machineSnapshot(): MachineSnapshot {
  const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return {
    links: sh("ip -o link show | awk -F': ' '{print $2}' | grep -E '^(kumilab|klab-)' | sort || true"),
    routes: sh("ip route show table all | grep -E '192\\.0\\.2\\.|kumilab|klab-' | sort || true"),
    mounts: sh("grep -E 'kumi-lab|overlay' /proc/self/mountinfo | awk '{print $5, $9, $10}' | sort || true"),
    nftTables: sh("nft list tables | grep -E 'kumi|firewalld' | sort || true"),
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
