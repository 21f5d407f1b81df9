import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, OUTPUTS_WITHHELD } from './journal';
import { ClusterLock, LockHeldError } from './lock';
import { SecretRegistry } from './secret-registry';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Journal', () => {
  it('appends records and answers what is done, latest record first', () => {
    const journal = new Journal(dir, new SecretRegistry());
    journal.append({ run: 'r1', path: 'prepare/swap.off', host: 'master1', status: 'started' });
    journal.append({ run: 'r1', path: 'prepare/swap.off', host: 'master1', status: 'done', outputs: { changed: true } });
    journal.append({ run: 'r1', path: 'prepare/swap.off', host: 'master2', status: 'failed', error: { code: 'COMMAND_FAILED', message: 'swapoff: exit 1' } });
    expect(journal.isDone('prepare/swap.off', 'master1')).toBe(true);
    expect(journal.isDone('prepare/swap.off', 'master2')).toBe(false);
    expect(journal.isDone('prepare/swap.off', 'worker1')).toBe(false);
    expect(journal.read()).toHaveLength(3);
    expect(statSync(journal.file).mode & 0o777).toBe(0o600);
  });

  it('ignores a torn last line left by a crash mid-write', () => {
    const journal = new Journal(dir, new SecretRegistry());
    journal.append({ run: 'r1', path: 'init/kubeadm.init', host: 'master1', status: 'done' });
    appendFileSync(journal.file, '{"time":"2026-');
    expect(journal.read()).toHaveLength(1);
    expect(journal.isDone('init/kubeadm.init', 'master1')).toBe(true);
  });

  it('writes records that held a known secret without it, so no result is lost', () => {
    const token = 'abcdef.0123456789abcdef';
    const secrets = new SecretRegistry();
    secrets.add(token);
    const journal = new Journal(dir, secrets);
    const base = { run: 'r1', path: 'join/kubeadm.join', host: 'worker1' } as const;
    expect(() => journal.append({ ...base, status: 'started', note: `joining with ${token}` })).not.toThrow();
    journal.append({ ...base, status: 'failed', error: { code: 'COMMAND_FAILED', message: `kubeadm join --token ${token}: exit 1` } });
    journal.append({ ...base, status: 'done', outputs: { echo: token }, note: 'joined' });
    journal.append({ ...base, status: 'noop', outputs: { caCertHash: 'sha256:00' } });
    expect(readFileSync(journal.file, 'utf8')).not.toContain(token);
    const [started, failed, done, noop] = journal.read();
    expect(started?.note).toBe('joining with ***');
    expect(failed?.error).toEqual({ code: 'COMMAND_FAILED', message: 'kubeadm join --token ***: exit 1' });
    expect(done?.outputs).toBeUndefined();
    expect(done?.note).toBe(`joined; ${OUTPUTS_WITHHELD}`);
    expect(noop?.outputs).toEqual({ caCertHash: 'sha256:00' });
    expect(journal.isDone('join/kubeadm.join', 'worker1')).toBe(true);
  });

  it('keeps a failed command\'s exit code, command line and stderr tail, scrubbed, for the report', () => {
    const token = 'abcdef.0123456789abcdef';
    const secrets = new SecretRegistry();
    secrets.add(token);
    const journal = new Journal(dir, secrets);
    journal.append({
      run: 'r1',
      path: 'join-workers/kubeadm.join',
      host: 'worker1',
      status: 'failed',
      error: { code: 'COMMAND_FAILED', message: 'kubeadm join: exit 1', exitCode: 1, stderrTail: `error: token ${token} expired`, command: 'kubeadm join 10.0.0.1:6443' },
    });
    expect(journal.read()[0]?.error).toEqual({
      code: 'COMMAND_FAILED',
      message: 'kubeadm join: exit 1',
      exitCode: 1,
      stderrTail: 'error: token *** expired',
      command: 'kubeadm join 10.0.0.1:6443',
    });
  });
});

describe('SecretRegistry', () => {
  it('redacts every known value', () => {
    const secrets = new SecretRegistry();
    secrets.add('0123456789abcdef0123');
    expect(secrets.redact('key=0123456789abcdef0123 again 0123456789abcdef0123')).toBe('key=*** again ***');
    secrets.forget('0123456789abcdef0123');
    expect(secrets.leaks('0123456789abcdef0123')).toBe(false);
  });
});

describe('ClusterLock', () => {
  it('stops a second coordinator and names the holder', () => {
    const first = new ClusterLock(dir);
    first.acquire('kumi up a.yaml');
    const second = new ClusterLock(dir);
    expect(() => second.acquire('kumi up a.yaml')).toThrow(LockHeldError);
    expect(() => second.acquire('kumi up a.yaml')).toThrow(new RegExp(`pid ${process.pid}.*remove .*kumi.lock`));
    first.release();
    second.acquire('kumi up a.yaml');
    second.release();
  });

  it('takes over a lock left by a process that is gone', () => {
    const stale = new ClusterLock(dir);
    // The pid of a process that has already exited.
    const gone = spawnSync('true').pid;
    appendFileSync(stale.file, JSON.stringify({ pid: gone, host: hostname(), command: 'kumi up', since: 'earlier' }));
    const lock = new ClusterLock(dir);
    expect(() => lock.acquire('kumi up')).not.toThrow();
    lock.release();
  });
});

describe('Journal resets', () => {
  it('forgets a host\'s earlier records after `kumi reset` marked it, and only that host\'s', () => {
    const journal = new Journal(dir, new SecretRegistry());
    journal.append({ run: 'r1', path: 'join-workers/kubeadm.join', host: 'worker1', status: 'done', outputs: { caCertHash: 'sha256:aa' } });
    journal.append({ run: 'r1', path: 'join-control-planes/kubeadm.join', host: 'master2', status: 'done' });
    journal.markReset('r2', 'worker1', 'kubeadm.reset done');
    expect(journal.isDone('join-workers/kubeadm.join', 'worker1')).toBe(false);
    expect(journal.isDone('join-control-planes/kubeadm.join', 'master2')).toBe(true);
    expect(journal.current().map((record) => record.host)).toEqual(['master2']);
    journal.append({ run: 'r3', path: 'join-workers/kubeadm.join', host: 'worker1', status: 'done' });
    expect(journal.isDone('join-workers/kubeadm.join', 'worker1')).toBe(true);
    expect(journal.read()).toHaveLength(4);
  });
});
