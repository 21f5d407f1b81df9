import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_CHUNK_BYTES, type FileChunk } from '@kumi/proto';
import { SNAPSHOT_DIR } from '@kumi/steps';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUPS_DIR, FileSender } from './file-sender';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kumi-file-sender-'));
  await mkdir(join(root, BACKUPS_DIR), { recursive: true });
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function fetch(name: string, maxBytes = 0): Promise<FileChunk[]> {
  const chunks: FileChunk[] = [];
  await new FileSender(root, pino({ level: 'silent' })).send({ fetchId: 'f1', name, maxBytes }, async (chunk) => {
    chunks.push(chunk);
  });
  return chunks;
}

describe('FileSender (the agent\'s answer to FetchFile)', () => {
  it('hands out only the folder etcd.snapshot writes to', () => {
    expect(BACKUPS_DIR).toBe(SNAPSHOT_DIR);
  });

  it('sends the file in bounded chunks, in order, then its size and SHA-256', async () => {
    const bytes = Buffer.alloc(2 * FILE_CHUNK_BYTES + 10, 7);
    await writeFile(join(root, BACKUPS_DIR, 'etcd.db'), bytes);
    const chunks = await fetch('etcd.db');
    expect(chunks.map((chunk) => [chunk.offset, (chunk.data as Buffer | undefined)?.length ?? 0, chunk.last ?? false])).toEqual([
      [0, FILE_CHUNK_BYTES, false],
      [FILE_CHUNK_BYTES, FILE_CHUNK_BYTES, false],
      [2 * FILE_CHUNK_BYTES, 10, false],
      [bytes.length, 0, true],
    ]);
    expect(chunks.at(-1)).toMatchObject({ totalBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it.each([
    ['a path instead of a name', '../../etc/shadow', /is not a plain file name/],
    ['a missing file', 'none.db', /cannot open \/var\/lib\/kumi\/backups\/none.db: ENOENT/],
    ['a symbolic link', 'link.db', /cannot open \/var\/lib\/kumi\/backups\/link.db: ELOOP/],
    ['a file over the limit', 'big.db', /has 100 bytes, more than the 10 asked for/],
  ])('refuses %s with a last chunk that says why, sending none of it', async (_name, name, error) => {
    await writeFile(join(root, 'secret'), 'x');
    await symlink(join(root, 'secret'), join(root, BACKUPS_DIR, 'link.db'));
    await writeFile(join(root, BACKUPS_DIR, 'big.db'), Buffer.alloc(100));
    const chunks = await fetch(name, 10);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.last).toBe(true);
    expect(chunks[0]?.error).toMatch(error);
  });
});
