import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotName } from '../plan';
import { parseKeep } from '../up/run-backup';
import { pruneSnapshots, sha256OfFile, snapshotsToPrune } from './prune-snapshots';

const at = (day: number) => snapshotName('prod', new Date(Date.UTC(2026, 11, day, 9, 30, 0)));

describe('which snapshots kumi backup --keep deletes', () => {
  const names = [at(3), at(1), at(4), at(2), at(5)];

  it.each([
    [3, [at(1), at(2)]],
    [1, [at(1), at(2), at(3), at(4)]],
    [5, []],
    [9, []],
    [0, []],
  ])('--keep %i: the oldest first, never the new one', (keep, doomed) => {
    expect(snapshotsToPrune(names, 'prod', keep, at(5))).toEqual(doomed);
  });

  it('counts the new snapshot among those kept even when its name is not the newest (a clock set back)', () => {
    expect(snapshotsToPrune([at(1), at(2), at(3)], 'prod', 2, at(1))).toEqual([at(2)]);
  });

  it('touches only its own file names: other clusters, look-alikes, its .sha256 files and the user files stay', () => {
    const foreign = [
      snapshotName('prod2', new Date(Date.UTC(2026, 0, 1))),
      snapshotName('pro', new Date(Date.UTC(2026, 0, 1))),
      'etcd-prod-20260101T000000Z.db.bak',
      'etcd-prod-latest.db',
      'my-etcd-prod-20260101T000000Z.db',
      `${at(1)}.sha256`,
      'notes.txt',
    ];
    expect(snapshotsToPrune([...foreign, at(5)], 'prod', 1, at(5))).toEqual([]);
    // A cluster name with regex characters is matched literally.
    expect(snapshotsToPrune([snapshotName('a.b', new Date(Date.UTC(2026, 0, 1))), 'etcd-aXb-20260101T000000Z.db'], 'a.b', 1, 'new.db')).toEqual([snapshotName('a.b', new Date(Date.UTC(2026, 0, 1)))]);
  });
});

describe('pruning a backups folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kumi-prune-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes the oldest snapshots with their .sha256 and leaves everything else', async () => {
    for (const day of [1, 2, 3]) {
      writeFileSync(join(dir, at(day)), `snapshot ${day}`);
      writeFileSync(join(dir, `${at(day)}.sha256`), `x  ${at(day)}\n`);
    }
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(await pruneSnapshots(dir, 'prod', 2, at(3), (text) => expect.unreachable(text))).toEqual([join(dir, at(1))]);
    expect(readdirSync(dir).sort()).toEqual([at(2), `${at(2)}.sha256`, at(3), `${at(3)}.sha256`, 'notes.txt'].sort());
    expect(existsSync(join(dir, at(1)))).toBe(false);
  });

  it('warns about a snapshot it cannot delete, keeps its .sha256, and prunes the rest', async () => {
    // A folder under a snapshot's name: rm without recursive refuses it (also as root).
    mkdirSync(join(dir, at(1)));
    writeFileSync(join(dir, join(at(1), 'inside')), 'x');
    for (const day of [2, 3]) writeFileSync(join(dir, at(day)), `snapshot ${day}`);
    for (const day of [1, 2, 3]) writeFileSync(join(dir, `${at(day)}.sha256`), `x  ${at(day)}\n`);
    const warnings: string[] = [];
    expect(await pruneSnapshots(dir, 'prod', 1, at(3), (text) => warnings.push(text))).toEqual([join(dir, at(2))]);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^could not delete the older snapshot ${join(dir, at(1))} \\(kept, with its \\.sha256\\): `))]);
    expect(readdirSync(dir).sort()).toEqual([at(1), `${at(1)}.sha256`, at(3), `${at(3)}.sha256`].sort());
  });

  it('hashes a file from disk (what is compared with the step before anything is pruned)', async () => {
    writeFileSync(join(dir, 'f'), 'abc');
    expect(await sha256OfFile(join(dir, 'f'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('--keep', () => {
  it('takes a whole number, 0 or more, and defaults to 7', () => {
    expect(parseKeep(undefined)).toBe(7);
    expect(parseKeep('0')).toBe(0);
    expect(parseKeep('12')).toBe(12);
    for (const bad of ['-1', '2.5', 'all', '']) expect(() => parseKeep(bad)).toThrow(/--keep .*: use a whole number of snapshots/);
  });
});
