import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileLogger } from './logger';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kumi-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileLogger', () => {
  it('writes JSON lines to a 0600 file and redacts secret fields at any depth', async () => {
    const file = join(dir, 'logs', 'kumi.log');
    const logger = createFileLogger(file);
    logger.info({ token: 'abcdef.0123456789abcdef', request: { secrets: { joinToken: 'S3CRET-A' }, keyPem: 'S3CRET-B' }, nested: { deeper: { privateKey: 'S3CRET-C' } }, host: 'cp1' }, 'hello');
    const text = await readFile(file, 'utf8');
    const line = JSON.parse(text.trim()) as Record<string, unknown>;

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(line).toMatchObject({ msg: 'hello', host: 'cp1', token: '[redacted]', request: { secrets: '[redacted]', keyPem: '[redacted]' } });
    for (const secret of ['0123456789abcdef', 'S3CRET-A', 'S3CRET-B', 'S3CRET-C']) expect(text).not.toContain(secret);
  });
});
