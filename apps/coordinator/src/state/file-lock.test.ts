import { mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeoverMarkerPath, withFileLock } from './file-lock';

let dir: string;
let lockPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kumi-lock-'));
  lockPath = join(dir, 'state.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `count` contenders at once; returns the most that ever held the lock together. */
async function maxHolders(count: number, staggerMs = 0): Promise<number> {
  let holding = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      // Staggered starts put one contender's check between another's steps.
      if (staggerMs > 0) await new Promise((resolve) => setTimeout(resolve, index * staggerMs));
      await withFileLock(lockPath, async () => {
        holding++;
        most = Math.max(most, holding);
        await new Promise((resolve) => setTimeout(resolve, 15));
        holding--;
      });
    }),
  );
  return most;
}

describe('withFileLock', () => {
  it('lets one holder in at a time, writes "pid nonce" and leaves no file behind', async () => {
    const seen = await withFileLock(lockPath, () => readFile(lockPath, 'utf8'));
    expect(seen).toMatch(new RegExp(`^${process.pid} [0-9a-f]{32}\\n$`));
    expect(await maxHolders(8)).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('lets exactly one of many contenders take over a stale lock', async () => {
    for (const staggerMs of [0, 1]) {
      await writeFile(lockPath, '999999 0123456789abcdef\n');
      const minuteAgo = new Date(Date.now() - 60_000);
      await utimes(lockPath, minuteAgo, minuteAgo);
      expect(await maxHolders(8, staggerMs), `stagger ${staggerMs} ms`).toBe(1);
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('leaves a stale lock to the process that is already taking it over', async () => {
    const stale = '999999 0123456789abcdef\n';
    await writeFile(lockPath, stale);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockPath, minuteAgo, minuteAgo);
    await writeFile(takeoverMarkerPath(lockPath, stale), '4242 fedcba9876543210\n');
    let ran = false;
    await expect(withFileLock(lockPath, async () => (ran = true), { waitLimitMs: 150 })).rejects.toThrow(/locked by another kumi process .*pid 999999/);
    expect(ran).toBe(false);
    expect(await readFile(lockPath, 'utf8')).toBe(stale);
  });

  it('does not delete a lock another process took over while fn ran', async () => {
    const theirs = '4242 fedcba9876543210\n';
    await withFileLock(lockPath, async () => {
      await writeFile(join(dir, 'theirs'), theirs);
      await rename(join(dir, 'theirs'), lockPath);
    });
    expect(await readFile(lockPath, 'utf8')).toBe(theirs);
  });

  it('gives up on a live lock after the wait limit, naming the file and its pid', async () => {
    await writeFile(lockPath, '4242 fedcba9876543210\n');
    const started = Date.now();
    await expect(withFileLock(lockPath, async () => 'never', { waitLimitMs: 150 })).rejects.toMatchObject({
      message: `state folder is locked by another kumi process (${lockPath}, pid 4242); retry, or remove the file if no kumi process is running`,
      exitCode: 3,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await readFile(lockPath, 'utf8')).toBe('4242 fedcba9876543210\n');
  });
});
