import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { labDown } from './lab-down';
import { labUp } from './lab-up';
import { seedTopology } from './topology';

// The start fails at its first step, before any namespace; the teardown is a stand-in too.
vi.mock('./require-root', () => ({ requireRoot: () => undefined }));
vi.mock('@kumi/lab-standins/build-standins', () => ({ buildStandins: vi.fn(async () => Promise.reject(new Error('esbuild: stand-in build failed'))) }));
vi.mock('./lab-down', () => ({ labDown: vi.fn(async () => Promise.reject(new Error('lab processes still alive after SIGKILL'))) }));

let dir: string;
let savedLabDir: string | undefined;
beforeAll(() => {
  savedLabDir = process.env.KUMI_LAB_DIR;
  dir = mkdtempSync(path.join(tmpdir(), 'lab-up-'));
  process.env.KUMI_LAB_DIR = path.join(dir, 'lab');
});
afterAll(() => {
  if (savedLabDir === undefined) delete process.env.KUMI_LAB_DIR;
  else process.env.KUMI_LAB_DIR = savedLabDir;
  rmSync(dir, { recursive: true, force: true });
});

describe('labUp failing', () => {
  it('reports why the start failed even when the teardown fails too, and logs the teardown error', async () => {
    const lines: string[] = [];
    await expect(labUp({ topology: seedTopology(), log: (line) => lines.push(line) })).rejects.toThrow('esbuild: stand-in build failed');
    expect(labDown).toHaveBeenCalledOnce();
    expect(lines).toContainEqual(expect.stringContaining('lab processes still alive after SIGKILL'));
  });
});
