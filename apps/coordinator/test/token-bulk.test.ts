import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initCluster } from '../src/state/cluster-init';
import { kumi } from './helpers/capture';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('kumi token create for many hosts', () => {
  it('mints one host-bound token per --host in one process, each printed once', async () => {
    root = await mkdtemp(join(tmpdir(), 'kumi-tokens-'));
    const dir = join(root, 'state');
    await initCluster({ name: 'bulk', dir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
    const created = await kumi('--state-dir', dir, 'token', 'create', '--host', 'w1', '--host', 'w2,w3', '--ttl', '30m', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { caPin, tokens } = JSON.parse(created.stdout) as { caPin: string; tokens: Array<{ host: string; token: string; id: string }> };
    expect(caPin).toMatch(/^sha256:/);
    expect(tokens.map((token) => token.host)).toEqual(['w1', 'w2', 'w3']);
    expect(new Set(tokens.map((token) => token.token)).size).toBe(3);
    for (const token of tokens) expect(token.token.startsWith(`${token.id}.`)).toBe(true);
    const listed = JSON.parse((await kumi('--state-dir', dir, 'token', 'list', '--json')).stdout) as Array<{ id: string; host: string }>;
    expect(listed.map((record) => record.host).sort()).toEqual(['w1', 'w2', 'w3']);
    expect(JSON.stringify(listed)).not.toContain(tokens[0]?.token);

    const table = await kumi('--state-dir', dir, 'token', 'create', '--host', 'w4,w5');
    expect(table.stdout).toMatch(/HOST\s+TOKEN\nw4\s+\S+\.\S+\nw5\s+\S+\.\S+\n/);
    const bad = await kumi('--state-dir', dir, 'token', 'create', '--host', 'w6,Bad_Name');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('invalid --host "Bad_Name"')]);
    // Nothing half applied: the valid host of a refused batch got no token.
    expect((JSON.parse((await kumi('--state-dir', dir, 'token', 'list', '--json')).stdout) as unknown[]).length).toBe(5);
  });
});
