import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostPath, KubePaths, type HostEnv } from './host-env';
import { servicePid } from './services';

describe('servicePid', () => {
  let host: HostEnv;
  let parent: ChildProcess | undefined;

  beforeEach(() => {
    host = { root: fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-services-')), hostname: 'test' };
  });
  afterEach(() => {
    parent?.kill('SIGKILL');
    parent = undefined;
    fs.rmSync(host.root, { recursive: true, force: true });
  });

  const writePid = (name: string, pid: number): void => {
    const file = hostPath(host, path.join(KubePaths.standinRunDir, `${name}.pid`));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${pid}\n`);
  };

  it('reports a live process and ignores a zombie', async () => {
    // "sleep 0" exits at once; its parent (sh exec'ed into sleep) never reaps it: a zombie.
    parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((resolve) => parent?.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    const deadline = Date.now() + 5000;
    while (!/\) Z /.test(fs.readFileSync(`/proc/${zombie}/stat`, 'utf8')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    writePid('live', parent.pid ?? 0);
    writePid('zombie', zombie);
    expect(servicePid(host, 'live')).toBe(parent.pid);
    expect(servicePid(host, 'zombie')).toBeUndefined();
    expect(servicePid(host, 'absent')).toBeUndefined();
  });
});
