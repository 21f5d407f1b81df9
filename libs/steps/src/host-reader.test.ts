import { execFileSync, spawn } from 'node:child_process';
import { pbkdf2 } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localHost } from './host-reader';
import { debianFacts } from './testing/host-facts';
import { makeTempRoot, removeTempRoot } from './testing/temp-root';

let root: string;
beforeEach(async () => {
  root = await makeTempRoot({
    '/etc/fstab': 'UUID=1 / ext4 defaults 0 1\n',
    '/etc/empty': '',
    '/etc/systemd/system/swapfile.swap': { link: '/dev/null' },
    '/etc/systemd/system/gone.swap': { link: '/nowhere/at/all' },
    '/run/systemd/system': { dir: true },
    '/usr/lib/systemd/system/b.swap': '[Swap]\n',
    '/usr/lib/systemd/system/a.service': '[Service]\n',
  });
});
afterEach(async () => removeTempRoot(root));

describe('localHost reads under its root', () => {
  it.each([
    ['a file', '/etc/fstab', 'UUID=1 / ext4 defaults 0 1\n', true],
    ['an empty file', '/etc/empty', '', true],
    ['a mask (link to /dev/null)', '/etc/systemd/system/swapfile.swap', '', true],
    ['a dangling link: no text, but something is there', '/etc/systemd/system/gone.swap', undefined, true],
    ['a missing file', '/etc/nothing', undefined, false],
    ['a path through a file (ENOTDIR)', '/etc/fstab/x', undefined, false],
  ])('%s', async (_name, path, text, exists) => {
    const host = localHost(root, debianFacts);
    expect(await host.readFile(path)).toBe(text);
    expect(await host.exists(path)).toBe(exists);
  });

  it('lists folders sorted; a missing folder or a file lists as empty', async () => {
    const host = localHost(`${root}/`, debianFacts);
    expect(await host.listDir('/usr/lib/systemd/system')).toEqual(['a.service', 'b.swap']);
    expect(await host.listDir('/run/systemd/system')).toEqual([]);
    expect(await host.listDir('/run/systemd/generator')).toEqual([]);
    expect(await host.listDir('/etc/fstab')).toEqual([]);
  });

  it('refuses to read a named pipe instead of blocking the agent on it', async () => {
    execFileSync('mkfifo', [`${root}/etc/pipe`]);
    // A writer waits on the pipe, so a read that opened it anyway returns its text instead of
    // hanging the test; it is killed below either way.
    const writer = spawn('sh', ['-c', `echo leaked > ${root}/etc/pipe`], { stdio: 'ignore' });
    try {
      const host = localHost(root, debianFacts);
      await expect(host.readFile('/etc/pipe')).rejects.toThrow(/etc\/pipe is a named pipe \(FIFO\), not a regular file.*Fix: replace it/);
      expect(await host.exists('/etc/pipe')).toBe(true);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('refuses a path that would leave the root', async () => {
    const host = localHost(root, debianFacts);
    await expect(host.readFile('/etc/../../escape')).rejects.toThrow(/contains "\.\."/);
  });

  it('answers without the thread pool: reads finish while every pool thread is busy', async () => {
    // Fill the pool (4 threads unless UV_THREADPOOL_SIZE says more) with slow jobs; a read
    // that went through the pool would wait for one of them to finish.
    const poolSize = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
    let finished = 0;
    const jobs = Array.from({ length: poolSize * 2 }, () => new Promise<void>((done) => pbkdf2('x', 'salt', 200_000, 32, 'sha256', () => ((finished += 1), done()))));
    const host = localHost(root, debianFacts);
    const read = await Promise.all([host.readFile('/etc/fstab'), host.readFile('/etc/nothing'), host.exists('/run/systemd/system'), host.listDir('/usr/lib/systemd/system')]);
    const finishedWhenRead = finished;
    await Promise.all(jobs);
    expect(read).toEqual(['UUID=1 / ext4 defaults 0 1\n', undefined, true, ['a.service', 'b.swap']]);
    expect(finishedWhenRead).toBe(0);
  });
});
