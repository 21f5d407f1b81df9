import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBootstrapToken, tokenSecretMatches } from '@kumi/trust';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../cli/exit-codes';
import { TokenStore } from './token-store';

let dir: string;
let store: TokenStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kumi-tokens-'));
  store = new TokenStore(join(dir, 'tokens.json'), join(dir, 'state.lock'));
  await store.initialize();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TokenStore', () => {
  it('stores only a hash of the secret, in a 0600 file', async () => {
    const created = await store.create({ ttlMs: 3_600_000, host: 'cp1', now: new Date('2026-01-01T00:00:00Z') });
    const { id, secret } = parseBootstrapToken(created.token);
    const text = await readFile(join(dir, 'tokens.json'), 'utf8');

    expect((await stat(join(dir, 'tokens.json'))).mode & 0o777).toBe(0o600);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(created.token);
    expect(text).toContain(id);
    expect(tokenSecretMatches(secret, created.record.secretHash)).toBe(true);
    expect(created.record).toMatchObject({ id, host: 'cp1', expiresAt: '2026-01-01T01:00:00.000Z', usedAt: null, usedBy: null });
  });

  it('lists and deletes tokens by id', async () => {
    const a = await store.create({ ttlMs: 60_000 });
    const b = await store.create({ ttlMs: 60_000, host: 'w1' });
    expect((await store.list()).map((t) => t.id)).toEqual([a.record.id, b.record.id]);
    expect(await store.delete(a.record.id)).toBe(true);
    expect(await store.delete(a.record.id)).toBe(false);
    expect((await store.list()).map((t) => t.id)).toEqual([b.record.id]);
  });

  it('loses no write when many creates race (lock file)', async () => {
    const other = new TokenStore(join(dir, 'tokens.json'), join(dir, 'state.lock'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).create({ ttlMs: 60_000 })));
    expect(await store.list()).toHaveLength(10);
  });

  it('names the file and the fix when the store is corrupt', async () => {
    const broken = new TokenStore(join(dir, 'broken.json'), join(dir, 'state.lock'));
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'broken.json'), '{"version":1,"tokens":[{"id":"x"}]}'));
    await expect(broken.list()).rejects.toThrow(/broken\.json is not a valid token store .*restore it from a backup, or move it aside/);
    await expect(broken.list()).rejects.toMatchObject({ exitCode: ExitCode.STATE });
  });

  it('names the file and the fix, with the state exit code, when the store is not JSON', async () => {
    const broken = new TokenStore(join(dir, 'broken.json'), join(dir, 'state.lock'));
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'broken.json'), '{"version":1,"tokens":[{"id":"abc123"'));
    const failure = broken.list();
    await expect(failure).rejects.toThrow(/broken\.json is not valid JSON .*restore it from a backup, or move it aside/);
    await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.STATE });
    await expect(failure).rejects.not.toThrow(/abc123/);
  });
});
