import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { anchorAlive, findAnchorPids, namespaceId, pidsInNetNamespaces, SWITCH_NAME, withoutMachineNetNamespaces } from './host-anchor';
import { signal } from './host-lifecycle';
import { MACHINE_FILES_DIR } from '@kumi/lab-standins/packages/machine-packages';
import { labDir } from './lab-paths';
import { readLabState } from './lab-state';
import { requireRoot } from './require-root';

/** What `down` removed. */
export interface LabDownResult {
  ms: number;
  killedHosts: string[];
}

/**
 * Removes everything a lab made, from state.json and by a sweep of anchor markers (so it
 * also cleans a crashed `up`): host processes, the switch namespace (bridge, veths, guard)
 * and the state dir. Safe to run again.
 */
export async function labDown(opts: { log?: (line: string) => void; timeoutMs?: number } = {}): Promise<LabDownResult> {
  requireRoot('down');
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const state = readLabState();
  const anchors = new Map<number, string>();
  for (const record of Object.values(state?.hosts ?? {})) {
    if (anchorAlive({ pid: record.anchorPid, pidNs: record.pidNs })) anchors.set(record.anchorPid, record.name);
  }
  if (state?.switch && namespaceId(state.switch.pid, 'net') === state.switch.netNs) anchors.set(state.switch.pid, SWITCH_NAME);
  for (const found of findAnchorPids()) anchors.set(found.pid, found.host);
  const netNs = withoutMachineNetNamespaces([...anchors.keys()].map((pid) => namespaceId(pid, 'net')));
  for (const pid of anchors.keys()) signal(pid, 'SIGKILL');
  // The unshare parents reap their anchors and exit by themselves; killing them first would
  // leave the anchors as zombies until the machine's init gets round to them.
  for (const pid of pidsInNetNamespaces(netNs)) signal(pid, 'SIGKILL');
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while ([...anchors.keys()].some((pid) => processLive(pid)) || pidsInNetNamespaces(netNs).length > 0) {
    if (Date.now() > deadline) throw new Error('kumi-lab down: lab processes still alive after SIGKILL; check `ps` for kumi-lab-anchor');
    await sleep(20);
  }
  if (anchors.size > 0) log(`stopped hosts: ${[...anchors.values()].join(' ')}`);
  // The bridge, the veths and the forward guard vanish with the switch namespace.
  removeStateDir();
  return { ms: Date.now() - started, killedHosts: [...anchors.values()] };
}

/** True while pid runs (a zombie waiting to be reaped counts as gone). */
function processLive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function removeStateDir(): void {
  const dir = labDir();
  // Only ever delete a directory that looks like a lab dir.
  if (dir === '/' || !path.isAbsolute(dir)) throw new Error(`refusing to delete lab dir "${dir}": KUMI_LAB_DIR must be an absolute path, not /`);
  if (!existsSync(dir)) return;
  const known = new Set(['state.json', 'state.json.tmp', 'clock', 'bin', 'bin.build', 'packages', 'hosts', MACHINE_FILES_DIR]);
  const unknown = readdirSync(dir).filter((f) => !known.has(f));
  for (const f of readdirSync(dir)) if (known.has(f)) rmSync(path.join(dir, f), { recursive: true, force: true });
  if (unknown.length === 0) rmSync(dir, { recursive: true, force: true });
}
