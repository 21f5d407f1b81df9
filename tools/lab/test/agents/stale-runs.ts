import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../src/cluster';

/** Folder prefix of this suite's labs: `${prefix}-${runner pid}` and `...-cluster` beside it. */
export const RUN_DIR_PREFIX = '/var/tmp/kumi-lab-test-agents';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Brings down labs of earlier runs of this suite whose runner died (killed mid-run, so no
 * afterAll): `kumi-lab down` with their KUMI_LAB_DIR, then their coordinator state folders.
 * Returns the folders it cleaned.
 */
export async function sweepStaleRuns(): Promise<string[]> {
  const parent = path.dirname(RUN_DIR_PREFIX);
  const stale = readdirSync(parent)
    .map((name) => /^kumi-lab-test-agents-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1])))
    .map((m) => path.join(parent, m[0]));
  for (const dir of stale) {
    await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'tools/lab/bin/kumi-lab.mjs'), 'down'], {
      env: { ...process.env, KUMI_LAB_DIR: dir },
      timeout: 60_000,
    });
    rmSync(`${dir}-cluster`, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  return stale;
}
