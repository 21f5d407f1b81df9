// `kumi token create|list` while a coordinator owns the state folder: they go through its
// control socket, and the coordinator's memory has the token at once. Cost: two CLI
// processes run from source (a few seconds each).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollAgent } from './helpers/fake-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

const MAIN = join(import.meta.dirname, '../src/main.ts');
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const kumi = (dir: string, ...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, '--state-dir', dir, ...args], { timeout: 60_000 });

describe('token commands while a coordinator owns the state', () => {
  it('create a token the running coordinator enrolls with, and list it', async () => {
    cluster = await startTestCluster();
    const created = await kumi(cluster.state.paths.dir, 'token', 'create', '--host', 'cp1', '--ttl', '10m');
    const token = /^token:\s+(\S+)$/m.exec(created.stdout)?.[1];
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const identity = await enrollAgent(cluster.address, cluster.material.caCertPem, token as string, 'cp1');
    expect(identity.certPem).toMatch(/BEGIN CERTIFICATE/);

    const listed = JSON.parse((await kumi(cluster.state.paths.dir, 'token', 'list', '--json')).stdout) as Array<{ id: string; usedBy: string | null; secretHash?: string }>;
    expect(listed).toEqual([expect.objectContaining({ id: (token as string).split('.')[0], usedBy: 'cp1' })]);
    expect(listed[0]).not.toHaveProperty('secretHash');
  }, 150_000);
});
