import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK_DIR_PREFIX, OWNER_FILE, processStartTime, sweepStaleLoopbackClusters, writeOwner } from './loopback-sweep';

// Leftovers of a killed test run: a stand-in service started with KUMI_STANDIN_ROOT inside a
// loopback folder whose owner process is gone. The sweep kills exactly those.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-sweep-test-'));
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A detached `sleep` as a loopback host's service of `dir` (what startService spawns). */
function service(dir: string): number {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, KUMI_STANDIN_ROOT: path.join(dir, 'master1') } });
  child.unref();
  started.push(child.pid as number);
  return child.pid as number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('sweep of stale loopback clusters', () => {
  it('kills the services of a folder whose owner died and removes it; a live owner\'s, an unowned one and other processes stay', async () => {
    const dead = spawnSync('true').pid as number;
    const staleDir = fs.mkdtempSync(path.join(tmp, LOOPBACK_DIR_PREFIX));
    fs.writeFileSync(path.join(staleDir, OWNER_FILE), `${dead} 1\n`);
    const liveDir = fs.mkdtempSync(path.join(tmp, LOOPBACK_DIR_PREFIX));
    writeOwner(liveDir);
    const unowned = fs.mkdtempSync(path.join(tmp, LOOPBACK_DIR_PREFIX));
    const leftover = service(staleDir);
    const running = service(liveDir);
    const orphanOfUnowned = service(unowned);
    // Wait (bounded) until the children have exec'd sleep, so their environ is readable.
    for (let i = 0; i < 50 && [leftover, running, orphanOfUnowned].some((pid) => processStartTime(pid) === undefined); i++) await new Promise((r) => setTimeout(r, 20));

    expect(sweepStaleLoopbackClusters(tmp)).toEqual([leftover]);
    for (let i = 0; i < 50 && alive(leftover); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(leftover)).toBe(false);
    expect(alive(running)).toBe(true);
    expect(alive(orphanOfUnowned)).toBe(true);
    expect(fs.existsSync(staleDir)).toBe(false);
    expect(fs.existsSync(liveDir) && fs.existsSync(unowned)).toBe(true);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
