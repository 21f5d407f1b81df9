import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ANCHOR_MARKER, labDir, labPaths, OVERLAY_DIRS } from './lab-paths';

/**
 * PID 1 of a host. It mounts the host's own /proc, /sys, overlays and /tmp, sets the host
 * name, activates swap from fstab, says it is ready, waits for its network, starts the enabled units, then waits
 * forever; bash reaps every orphan re-parented to it, so dead services never linger as zombies.
 * Arguments: $1 host, $2 lab dir, then DIR LAYER pairs.
 */
const ANCHOR_SCRIPT = String.raw`
set -eu
host="$1"; lab="$2"; shift 2
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# Only net.* sysctls belong to the host's netns; the rest is the machine's: read-only.
mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys
mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net
while [ "$#" -ge 2 ]; do
  dir="$1"; layer="$lab/hosts/$host/fs/$2"; shift 2
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$layer/upper,workdir=$layer/work" "$dir"
done
# Only units enabled in this host start at its boot, never the machine's own (cloud-init, databases...).
mount --bind "$lab/hosts/$host/fs/systemd-system" /etc/systemd/system
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname "$host"
mkdir -p /run/kumi-lab /var/log/kumi-lab
printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' > /run/kumi-lab/proc-swaps
mount --bind /run/kumi-lab/proc-swaps /proc/swaps
/usr/sbin/swapon -a >> /var/log/kumi-lab/boot.log 2>&1 || true
touch "$lab/hosts/$host/ready"
# The lab plugs the network in after the mounts; services start once the link is there.
for _ in $(seq 200); do [ -e "$lab/hosts/$host/wired" ] && break; sleep 0.05; done
/usr/bin/systemctl --lab-boot >> /var/log/kumi-lab/boot.log 2>&1 < /dev/null &
while :; do sleep 3600 & wait $! || true; done
`;

/** A booted host's PID 1 as the machine sees it. */
export interface Anchor {
  pid: number;
  pidNs: string;
}

/** Boots a host: starts its anchor in new namespaces and waits until its mounts are ready. */
export async function bootAnchor(host: string, timeoutMs = 10_000): Promise<Anchor> {
  rmSync(labPaths.hostReady(host), { force: true });
  rmSync(labPaths.hostWired(host), { force: true });
  const log = openSync(labPaths.anchorLog(host), 'a');
  const layers = OVERLAY_DIRS.flatMap((o) => [o.dir, o.layer]);
  const child = spawn(
    'unshare',
    ['--net', '--mount', '--uts', '--pid', '--fork', '--propagation', 'private', 'bash', '-c', ANCHOR_SCRIPT, ANCHOR_MARKER, host, labDir(), ...layers],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const unsharePid = child.pid;
  if (unsharePid === undefined) throw new Error(`host ${host}: could not start unshare`);
  const deadline = Date.now() + timeoutMs;
  let anchorPid: number | undefined;
  while (Date.now() < deadline) {
    anchorPid ??= firstChild(unsharePid);
    if (anchorPid !== undefined && existsSync(labPaths.hostReady(host))) {
      return { pid: anchorPid, pidNs: namespaceId(anchorPid, 'pid') ?? '' };
    }
    if (!existsSync(`/proc/${unsharePid}`) || child.exitCode !== null) break;
    await sleep(20);
  }
  killGroup(unsharePid);
  const logText = existsSync(labPaths.anchorLog(host)) ? readFileSync(labPaths.anchorLog(host), 'utf8').trim().split('\n').slice(-5).join('\n') : '';
  throw new Error(`host ${host} did not boot (waited up to ${timeoutMs} ms)${logText ? `: ${logText}` : ''} (see ${labPaths.anchorLog(host)})`);
}

/** Marker name of the switch namespace's anchor (host names cannot start with "_"). */
export const SWITCH_NAME = '_switch';

/**
 * Starts the switch: a process alone in a new network namespace that will hold the bridge and
 * the coordinator's address. It has no other namespace: the coordinator runs there with the
 * machine's file system.
 */
export async function bootSwitch(timeoutMs = 5000): Promise<Anchor> {
  const child = spawn('unshare', ['--net', 'bash', '-c', 'while :; do sleep 3600 & wait $! || true; done', ANCHOR_MARKER, SWITCH_NAME, labDir()], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the lab switch (unshare --net)');
  const own = namespaceId(process.pid, 'net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ns = namespaceId(pid, 'net');
    if (ns && ns !== own && /\bbash\b/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) return { pid, pidNs: namespaceId(pid, 'pid') ?? '' };
    if (child.exitCode !== null) break;
    await sleep(10);
  }
  killGroup(pid);
  throw new Error('the lab switch (unshare --net) did not start');
}

/** SIGKILLs a detached child's whole process group (unshare and what it forked), if still there. */
function killGroup(leaderPid: number): void {
  try {
    process.kill(-leaderPid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** The namespace id (e.g. "pid:[4026532]") of a process, or undefined when it is gone. */
export function namespaceId(pid: number, ns: 'pid' | 'net' | 'mnt'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${ns}`);
  } catch {
    return undefined;
  }
}

/** True while the recorded anchor still runs (same pid and same PID namespace). */
export function anchorAlive(anchor: Anchor): boolean {
  return namespaceId(anchor.pid, 'pid') === anchor.pidNs && !isZombie(anchor.pid);
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Pids of this lab dir's anchors (hosts and switch, any run, crashed or not), found by their argv marker. */
export function findAnchorPids(dir = labDir()): Array<{ pid: number; host: string }> {
  const found: Array<{ pid: number; host: string }> = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const i = argv.indexOf(ANCHOR_MARKER);
    const isAnchor = i > 0 && path.basename(argv[0] ?? '') !== 'unshare' && argv[1] === '-c' && argv[i + 2] === dir;
    if (isAnchor) found.push({ pid: Number(entry), host: argv[i + 1] ?? '?' });
  }
  return found;
}

/**
 * The given network namespaces minus the machine's own (this process's and PID 1's), so a
 * stale pid or a host that never got its own netns can never make the lab kill the machine's
 * processes. Use it on every set handed to pidsInNetNamespaces before signalling.
 */
export function withoutMachineNetNamespaces(netNs: Iterable<string | undefined>): Set<string> {
  const machine = new Set([namespaceId(process.pid, 'net'), namespaceId(1, 'net')]);
  return new Set([...netNs].filter((ns): ns is string => ns !== undefined && !machine.has(ns)));
}

/** Pids of every process in the given network namespaces (nsenter parents, stray helpers). */
export function pidsInNetNamespaces(netNs: Set<string>): number[] {
  const pids: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ns = namespaceId(Number(entry), 'net');
    if (ns !== undefined && netNs.has(ns)) pids.push(Number(entry));
  }
  return pids;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
