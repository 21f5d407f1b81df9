import { lstat, mkdir, open, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../plan';
import type { StepFailure } from '../run-types';
import { Secret } from '../secret';
import { runOptions, scriptedStep } from '../testing/scripted-step';
import { makeTempRoot, removeTempRoot } from '../testing/temp-root';
import { runStep } from './run-step';

let root: string;
beforeEach(async () => {
  root = await makeTempRoot();
});
afterEach(async () => {
  await removeTempRoot(root);
});

const runActions = (actions: Action[]) => runStep(scriptedStep(actions), runOptions(root));
const modeOf = async (path: string): Promise<number> => (await stat(join(root, path))).mode & 0o7777;
const failureOf = (promise: Promise<unknown>): Promise<StepFailure> =>
  promise.then(
    () => {
      throw new Error('expected a StepFailure');
    },
    (error: unknown) => error as StepFailure,
  );

describe('write actions', () => {
  it('creates parent folders under the root and applies the mode despite the umask', async () => {
    await runActions([{ kind: 'write', path: '/etc/kumi/deep/conf.yaml', content: 'a: 1\n', mode: 0o664, why: 'test' }]);
    expect(await readFile(join(root, 'etc/kumi/deep/conf.yaml'), 'utf8')).toBe('a: 1\n');
    expect(await modeOf('/etc/kumi/deep/conf.yaml')).toBe(0o664);
    expect(await modeOf('/etc/kumi')).toBe(0o755);
  });

  it('defaults to 0644 and writes Secret content 0600 whatever mode is asked', async () => {
    await runActions([
      { kind: 'write', path: '/plain', content: 'x', why: 'test' },
      { kind: 'write', path: '/key.pem', content: new Secret('PRIVATE'), mode: 0o644, why: 'test' },
    ]);
    expect(await modeOf('/plain')).toBe(0o644);
    expect(await modeOf('/key.pem')).toBe(0o600);
    expect(await readFile(join(root, 'key.pem'), 'utf8')).toBe('PRIVATE');
  });

  it('replaces a file by rename (new inode, old content intact for open readers) and leaves no temp file', async () => {
    await writeFile(join(root, 'conf'), 'old\n');
    const before = await stat(join(root, 'conf'));
    const reader = await open(join(root, 'conf'), 'r');
    try {
      await runActions([{ kind: 'write', path: '/conf', content: 'new\n', mode: 0o600, why: 'test' }]);
      expect(await reader.readFile('utf8')).toBe('old\n');
    } finally {
      await reader.close();
    }
    const after = await stat(join(root, 'conf'));
    expect(after.ino).not.toBe(before.ino);
    expect(await readFile(join(root, 'conf'), 'utf8')).toBe('new\n');
    expect(await readdir(root)).toEqual(['conf']);
  });

  it('leaves the old file and no temp file when the write fails', async () => {
    await writeFile(join(root, 'conf'), 'old\n');
    await mkdir(join(root, 'blocked'));
    await writeFile(join(root, 'blocked/file'), 'keep');
    const failure = await failureOf(
      runActions([
        { kind: 'write', path: '/blocked', content: 'cannot replace a folder', why: 'test' },
      ]),
    );
    expect(failure.code).toBe('FILE_FAILED');
    expect(failure.message).toContain('cannot write /blocked');
    expect((await readdir(root)).sort()).toEqual(['blocked', 'conf']);
    expect(await readFile(join(root, 'blocked/file'), 'utf8')).toBe('keep');
  });

  it('never leaves the root, even through ".."', async () => {
    const failure = await failureOf(runActions([{ kind: 'write', path: '/etc/../../escape', content: 'x', why: 'test' }]));
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).toContain('".."');
  });

  it('writes kernel interface files in place and never creates them', async () => {
    await mkdir(join(root, 'proc/sys/net/ipv4'), { recursive: true });
    await writeFile(join(root, 'proc/sys/net/ipv4/ip_forward'), '0\n');
    const inode = (await stat(join(root, 'proc/sys/net/ipv4/ip_forward'))).ino;
    await runActions([{ kind: 'write', path: '/proc/sys/net/ipv4/ip_forward', content: '1\n', inPlace: true, why: 'test' }]);
    expect(await readFile(join(root, 'proc/sys/net/ipv4/ip_forward'), 'utf8')).toBe('1\n');
    expect((await stat(join(root, 'proc/sys/net/ipv4/ip_forward'))).ino).toBe(inode);

    const failure = await failureOf(
      runActions([{ kind: 'write', path: '/proc/sys/net/bridge/x', content: '1\n', inPlace: true, why: 'needs br_netfilter' }]),
    );
    expect(failure.code).toBe('FILE_FAILED');
    expect(failure.message).toContain('does not exist');
    expect(failure.message).toContain('needs br_netfilter');
  });
});

describe('symlink and remove actions', () => {
  it('links a path to /dev/null, replacing a file, and removes files idempotently', async () => {
    await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
    await writeFile(join(root, 'etc/systemd/system/a.swap'), '[Swap]\n');
    await writeFile(join(root, 'gone'), 'x');
    await runActions([
      { kind: 'symlink', path: '/etc/systemd/system/a.swap', target: '/dev/null', why: 'test' },
      { kind: 'symlink', path: '/etc/systemd/system/new/b.swap', target: '/dev/null', why: 'test' },
      { kind: 'remove', path: '/gone', why: 'test' },
      { kind: 'remove', path: '/never-existed', why: 'test' },
    ]);
    expect(await readlink(join(root, 'etc/systemd/system/a.swap'))).toBe('/dev/null');
    expect((await lstat(join(root, 'etc/systemd/system/new/b.swap'))).isSymbolicLink()).toBe(true);
    expect((await readdir(root)).sort()).toEqual(['etc']);
    expect(await readdir(join(root, 'etc/systemd/system'))).toEqual(['a.swap', 'new']);
  });
});
