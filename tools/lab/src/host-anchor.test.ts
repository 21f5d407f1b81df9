import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootSwitch, findAnchorPids, namespaceId, withoutMachineNetNamespaces } from './host-anchor';

describe('withoutMachineNetNamespaces', () => {
  it("drops the machine's own network namespace (this process's and PID 1's) and unknown ids", () => {
    const own = namespaceId(process.pid, 'net');
    const init = namespaceId(1, 'net');
    expect(own).toMatch(/^net:\[\d+\]$/);
    const lab = 'net:[4294967295]';
    expect([...withoutMachineNetNamespaces([own, init, undefined, lab])]).toEqual([lab]);
  });
});

describe.runIf(process.getuid?.() === 0)('bootSwitch', () => {
  let dir: string;
  let savedLabDir: string | undefined;
  beforeAll(() => {
    savedLabDir = process.env.KUMI_LAB_DIR;
    dir = mkdtempSync(path.join(tmpdir(), 'anchor-'));
    process.env.KUMI_LAB_DIR = dir;
  });
  afterAll(() => {
    // The switch leads its own process group (detached): take its sleep child along.
    for (const anchor of findAnchorPids(dir)) {
      try {
        process.kill(-anchor.pid, 'SIGKILL');
      } catch {
        // a forked child of a group already killed
      }
    }
    if (savedLabDir === undefined) delete process.env.KUMI_LAB_DIR;
    else process.env.KUMI_LAB_DIR = savedLabDir;
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no switch process behind when it gives up waiting', async () => {
    await expect(bootSwitch(0)).rejects.toThrow(/did not start/);
    // Long enough for a surviving unshare to have become the switch's bash.
    await sleep(300);
    const deadline = Date.now() + 2000;
    while (findAnchorPids(dir).length > 0 && Date.now() < deadline) await sleep(20);
    expect(findAnchorPids(dir)).toEqual([]);
  });
});
