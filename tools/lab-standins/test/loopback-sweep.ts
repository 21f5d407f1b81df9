import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Prefix of every loopback cluster's temporary folder (LoopbackCluster). */
export const LOOPBACK_DIR_PREFIX = 'kumi-standins-';
/** The file naming the test process that owns a loopback cluster folder: "<pid> <start time>". */
export const OWNER_FILE = 'owner';
/** Bounds: folders looked at, /proc entries read. */
const MAX_DIRS = 100;
const MAX_PROCS = 20_000;

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22): with the pid, who it is. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Records this process as the owner of a loopback cluster folder. */
export function writeOwner(dir: string): void {
  fs.writeFileSync(path.join(dir, OWNER_FILE), `${process.pid} ${processStartTime(process.pid) ?? ''}\n`);
}

/**
 * Whether a loopback folder's owner is gone (dead, or its pid reused by another process). A
 * folder without a readable owner record proves nothing and is left alone.
 */
function isStale(dir: string): boolean {
  let owner: string;
  try {
    owner = fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim();
  } catch {
    return false;
  }
  const [pid, started] = owner.split(' ');
  if (!pid || !started) return false;
  return processStartTime(Number(pid)) !== started;
}

/** The KUMI_STANDIN_ROOT a process was started with (its marker), if any. */
function standinRootOf(pid: number): string | undefined {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return environ.find((entry) => entry.startsWith('KUMI_STANDIN_ROOT='))?.slice('KUMI_STANDIN_ROOT='.length);
  } catch {
    return undefined;
  }
}

/**
 * Kills what loopback clusters of killed test runs left behind and removes their folders: a
 * folder is stale when its owner process is gone; a process is killed only when it was started
 * with KUMI_STANDIN_ROOT inside a stale folder (every stand-in service inherits it), never this
 * process or its parent. Returns the pids killed.
 */
export function sweepStaleLoopbackClusters(tmp = os.tmpdir()): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(tmp).filter((name) => name.startsWith(LOOPBACK_DIR_PREFIX)).slice(0, MAX_DIRS);
  } catch {
    return [];
  }
  const stale = names.map((name) => path.join(tmp, name)).filter(isStale);
  if (stale.length === 0) return [];
  const killed: number[] = [];
  const pids = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).slice(0, MAX_PROCS).map(Number);
  for (const pid of pids) {
    if (pid === process.pid || pid === process.ppid) continue;
    const root = standinRootOf(pid);
    if (root === undefined || !stale.some((dir) => root.startsWith(`${dir}/`))) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  for (const dir of stale) fs.rmSync(dir, { recursive: true, force: true });
  return killed;
}
