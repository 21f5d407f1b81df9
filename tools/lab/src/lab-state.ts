import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labPaths } from './lab-paths';
import type { Topology } from './topology';

/** One running host as recorded on disk. */
export interface HostRecord {
  name: string;
  address: string;
  role: string;
  /** PID (machine's view) of the host's PID 1, the anchor. */
  anchorPid: number;
  /** Inode of the anchor's PID namespace, so a stale pid is never mistaken for the host. */
  pidNs: string;
}

/** What the lab made, written as it goes so `down` can undo a crashed `up`. */
export interface LabState {
  phase: 'starting' | 'up';
  topology: Topology;
  startedAt: string;
  /** The switch namespace's process (bridge + coordinator address). */
  switch?: { pid: number; netNs: string };
  hosts: Record<string, HostRecord>;
}

/** Reads state.json; undefined when there is no lab. */
export function readLabState(): LabState | undefined {
  try {
    return JSON.parse(readFileSync(labPaths.state(), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Writes state.json atomically. */
export function writeLabState(state: LabState): void {
  const file = labPaths.state();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
