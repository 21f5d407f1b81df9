import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBootstrapToken, tokenSecretMatches } from '@kumi/trust';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../cli/exit-codes';
import { StateHeldError } from './state-lock';
import { statePaths, type StatePaths } from './state-paths';
import { StateStore } from './state-store';

let dir: string;
let paths: StatePaths;
const opened: StateStore[] = [];

async function openStore(compaction?: { minBytes: number; growthFactor: number }): Promise<StateStore> {
  const store = await StateStore.open(paths, { command: 'test', ...(compaction ? { compaction } : {}) });
  opened.push(store);
  return store;
}

async function reopen(store: StateStore): Promise<StateStore> {
  await store.close();
  return openStore();
}

const host = (hostName: string, certSha256 = 'a'.repeat(64)) => ({ hostName, enrolledAt: '2026-01-01T00:00:00.000Z', certSha256, tokenId: 'direct' });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kumi-state-'));
  paths = statePaths(dir);
  await StateStore.initialize(paths);
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('stores only a hash of the secret, in a 0600 log, and keeps every change across a reopen', async () => {
    let store = await openStore();
    const created = await store.createToken({ ttlMs: 3_600_000, host: 'cp1', now: new Date('2026-01-01T00:00:00Z') });
    const { id, secret } = parseBootstrapToken(created.token);
    const text = await readFile(paths.stateLog, 'utf8');
    expect((await stat(paths.stateLog)).mode & 0o777).toBe(0o600);
    expect(text).not.toContain(secret);
    expect(text).toContain(id);
    expect(tokenSecretMatches(secret, created.record.secretHash)).toBe(true);
    expect(created.record).toMatchObject({ id, host: 'cp1', expiresAt: '2026-01-01T01:00:00.000Z', usedAt: null, usedBy: null });

    const other = await store.createToken({ ttlMs: 60_000 });
    await store.enroll(id, { ...host('cp1'), tokenId: id });
    expect(await store.deleteToken(other.record.id)).toBe(true);
    expect(await store.deleteToken(other.record.id)).toBe(false);
    store = await reopen(store);
    expect(store.listTokens()).toEqual([{ ...created.record, usedAt: '2026-01-01T00:00:00.000Z', usedBy: 'cp1' }]);
    expect(store.host('cp1')?.tokenId).toBe(id);
    expect(store.hostByCertificate('a'.repeat(64))?.hostName).toBe('cp1');
  });

  it('group-commits: changes made while an fsync is in flight share the next one', async () => {
    const store = await openStore();
    await store.createToken({ ttlMs: 60_000 });
    const handle = await import('node:fs/promises').then((fs) => fs.open(paths.stateLog, 'r'));
    const datasync = vi.spyOn(Object.getPrototypeOf(handle) as { datasync(): Promise<void> }, 'datasync');
    await handle.close();
    try {
      await Promise.all(Array.from({ length: 50 }, () => store.createToken({ ttlMs: 60_000 })));
      // The first change is written at once; the 49 that came during its fsync share one more.
      expect(datasync.mock.calls.length).toBe(2);
    } finally {
      datasync.mockRestore();
    }
    expect((await reopen(store)).listTokens()).toHaveLength(51);
  });

  it('drops a torn last line (a crash mid-write), cuts it off and appends after it', async () => {
    let store = await openStore();
    const kept = await store.createToken({ ttlMs: 60_000 });
    await store.close();
    await appendFile(paths.stateLog, '{"op":"token-created","token":{"id":"abc');
    store = await openStore();
    expect(store.listTokens().map((t) => t.id)).toEqual([kept.record.id]);
    const next = await store.createToken({ ttlMs: 60_000 });
    store = await reopen(store);
    expect(store.listTokens().map((t) => t.id)).toEqual([kept.record.id, next.record.id]);
    expect(await readFile(paths.stateLog, 'utf8')).not.toContain('"id":"abc');
  });

  it('refuses a log damaged before its end, naming the file and the fix', async () => {
    const store = await openStore();
    await store.createToken({ ttlMs: 60_000 });
    await store.close();
    const lines = (await readFile(paths.stateLog, 'utf8')).split('\n');
    await writeFile(paths.stateLog, [lines[0], 'not json', ...lines.slice(1)].join('\n'));
    const failure = StateStore.open(paths, { command: 'test' });
    await expect(failure).rejects.toThrow(/state log .*state\.jsonl is damaged .*restore the folder from a backup/);
    await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.STATE });
  });

  it('compacts a grown log into one snapshot by an atomic rename, losing nothing', async () => {
    let store = await openStore({ minBytes: 2048, growthFactor: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await store.createToken({ ttlMs: 60_000 })).record.id);
    for (const id of ids.slice(0, 30)) await store.deleteToken(id);
    const text = await readFile(paths.stateLog, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^\{"op":"snapshot"/);
    // 70 changes were made; the log holds a snapshot and the changes since.
    expect(text.trim().split('\n').length).toBeLessThan(40);
    store = await reopen(store);
    expect(store.listTokens().map((t) => t.id)).toEqual(ids.slice(30));
  });

  it('keeps every acknowledged change when its process is killed mid-write', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'state-store-crash-child.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const exited = new Promise((done) => child.once('exit', done));
    try {
      const deadline = Date.now() + 20_000;
      while (out.split('\n').length < 300 && Date.now() < deadline && child.exitCode === null) await new Promise((done) => setTimeout(done, 20));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const acknowledged = out.split('\n').filter((line) => /^[a-z0-9]{6}$/.test(line));
    expect(acknowledged.length, errors).toBeGreaterThanOrEqual(300);
    // The lock of the killed process is taken over: its pid is dead.
    const store = await openStore();
    const stored = new Set(store.listTokens().map((t) => t.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('converts the tokens.json and hosts.json of an older kumi once, then removes them', async () => {
    await rm(paths.stateLog);
    const token = { id: 'abc123', secretHash: 'ab'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z', host: null, usedAt: null, usedBy: null };
    await writeFile(paths.tokens, JSON.stringify({ version: 1, tokens: [token] }), { mode: 0o600 });
    await writeFile(paths.hosts, JSON.stringify({ version: 1, hosts: [host('cp1')] }), { mode: 0o600 });
    let store = await openStore();
    expect(store.listTokens()).toEqual([token]);
    expect(store.listHosts()).toEqual([host('cp1')]);
    await expect(stat(paths.tokens)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(paths.hosts)).rejects.toMatchObject({ code: 'ENOENT' });
    store = await reopen(store);
    expect(store.listTokens()).toEqual([token]);
  });

  it('refuses an invalid old tokens.json, naming the file and the fix, and writes no log', async () => {
    await rm(paths.stateLog);
    await writeFile(paths.tokens, '{"version":1,"tokens":[{"id":"x"}]}');
    const failure = StateStore.open(paths, { command: 'test' });
    await expect(failure).rejects.toThrow(/tokens\.json \(from an older kumi\) is not a valid token store .*restore it from a backup, or move it aside/);
    await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.STATE });
    await expect(stat(paths.stateLog)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is owned by one process at a time: a second open is refused with the owner', async () => {
    await openStore();
    const failure = StateStore.open(paths, { command: 'second' });
    await expect(failure).rejects.toBeInstanceOf(StateHeldError);
    await expect(failure).rejects.toThrow(new RegExp(`pid ${process.pid} .*"test"`));
  });
});
