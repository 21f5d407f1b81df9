import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_CHUNK_BYTES } from '@kumi/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError } from '../src/backup/file-fetcher';
import { FakeAgentStream } from './helpers/fake-agent';
import { enrollDirect } from './helpers/sim-cluster';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster | undefined;
const streams: FakeAgentStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.drop();
  await cluster?.close();
  cluster = undefined;
});

async function attached(host = 'master1') {
  cluster = await startTestCluster();
  const c = cluster;
  const agent = new FakeAgentStream(c.address, c.material.caCertPem, await enrollDirect(c.state, c.material, host));
  streams.push(agent);
  agent.hello(host);
  await agent.waitFor(() => c.coordinator.agents.get(host));
  return { c, agent, dest: join(c.root, 'backups') };
}

/** Answers the agent's way: the file in FILE_CHUNK_BYTES pieces, then a last chunk with its size and SHA-256. */
function sendFile(agent: FakeAgentStream, fetchId: string, bytes: Buffer, lie: { sha256?: string; skip?: number } = {}): void {
  let offset = 0;
  for (let start = 0; start < bytes.length; start += FILE_CHUNK_BYTES) {
    const data = bytes.subarray(start, start + FILE_CHUNK_BYTES);
    if (start !== lie.skip) agent.chunk({ fetchId, offset, data });
    offset += data.length;
  }
  agent.chunk({ fetchId, offset, last: true, totalBytes: offset, sha256: lie.sha256 ?? createHash('sha256').update(bytes).digest('hex') });
}

const snapshot = Buffer.from(Array.from({ length: 3 * FILE_CHUNK_BYTES + 1234 }, (_, i) => (i * 7) % 251));
const sha = createHash('sha256').update(snapshot).digest('hex');

describe('FetchFile over the Attach stream (real coordinator, mutual TLS on 127.0.0.1)', () => {
  it('asks the agent for the file by name and keeps it 0600 with a .sha256 beside it, once every byte matched', async () => {
    const { c, agent, dest } = await attached();
    const fetched = c.coordinator.files.fetch({ host: 'master1', name: 'etcd-1.db', destDir: dest, expectedSha256: sha });
    const request = await agent.waitFor(() => agent.received.find((m) => m.fetch)?.fetch ?? undefined);
    expect(request.name).toBe('etcd-1.db');
    expect(request.maxBytes).toBe(8 * 1024 ** 3);
    sendFile(agent, request.fetchId, snapshot);
    const file = await fetched;
    expect(file).toEqual({ path: join(dest, 'etcd-1.db'), sha256Path: join(dest, 'etcd-1.db.sha256'), sizeBytes: snapshot.length, sha256: sha });
    expect((await readFile(file.path)).equals(snapshot)).toBe(true);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(file.sha256Path)).mode & 0o777).toBe(0o600);
    expect(await readFile(file.sha256Path, 'utf8')).toBe(`${sha}  etcd-1.db\n`);
    expect((await stat(dest)).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['a missing chunk', { skip: FILE_CHUNK_BYTES }, undefined, /chunk at offset .* expected .* the transfer is broken/],
    ['a SHA-256 that does not match the bytes', { sha256: 'f'.repeat(64) }, undefined, /differs from what master1 sent/],
    ['bytes that differ from what the step reported', {}, 'e'.repeat(64), /differs from the one its step reported/],
  ])('refuses %s and leaves nothing in the folder', async (_name, lie, expected, message) => {
    const { c, agent, dest } = await attached();
    const fetched = c.coordinator.files.fetch({ host: 'master1', name: 'etcd-2.db', destDir: dest, ...(expected ? { expectedSha256: expected } : {}) });
    const request = await agent.waitFor(() => agent.received.find((m) => m.fetch)?.fetch ?? undefined);
    sendFile(agent, request.fetchId, snapshot, lie);
    await expect(fetched).rejects.toThrow(message);
    expect(await readdir(dest)).toEqual([]);
  });

  it('stops at the size limit, reports the agent\'s refusal, and fails when the host goes away', async () => {
    const { c, agent, dest } = await attached();
    const small = c.coordinator.files.fetch({ host: 'master1', name: 'big.db', destDir: dest, maxBytes: FILE_CHUNK_BYTES });
    const first = await agent.waitFor(() => agent.received.filter((m) => m.fetch)[0]?.fetch ?? undefined);
    sendFile(agent, first.fetchId, snapshot);
    await expect(small).rejects.toThrow(/larger than the limit of 262144 bytes/);
    const refused = c.coordinator.files.fetch({ host: 'master1', name: 'gone.db', destDir: dest });
    const second = await agent.waitFor(() => agent.received.filter((m) => m.fetch)[1]?.fetch ?? undefined);
    agent.chunk({ fetchId: second.fetchId, last: true, error: 'cannot open /var/lib/kumi/backups/gone.db: ENOENT' });
    await expect(refused).rejects.toThrow('master1 cannot send gone.db: cannot open /var/lib/kumi/backups/gone.db: ENOENT');
    const cut = c.coordinator.files.fetch({ host: 'master1', name: 'cut.db', destDir: dest });
    await agent.waitFor(() => agent.received.filter((m) => m.fetch)[2]?.fetch ?? undefined);
    agent.drop();
    await expect(cut).rejects.toBeInstanceOf(FetchError);
    expect(await readdir(dest)).toEqual([]);
    await expect(c.coordinator.files.fetch({ host: 'master2', name: 'x.db', destDir: dest })).rejects.toThrow(/not attached/);
    await expect(c.coordinator.files.fetch({ host: 'master1', name: '../x.db', destDir: dest })).rejects.toThrow(/not a plain file name/);
  });
});
