import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeUserDataFiles } from './write-user-data';

const host = { hostName: 'cp1', userData: '#cloud-config\n', tokenId: 'abcdef', expiresAt: '2030-01-01T00:00:00.000Z' };

describe('writeUserDataFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-user-data-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the mode of an existing --out folder alone and writes 0600 files', async () => {
    await chmod(dir, 0o755);
    const [path] = await writeUserDataFiles(dir, [host]);
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
    expect(path).toBe(join(dir, 'cp1.user-data'));
    expect((await stat(join(dir, 'cp1.user-data'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'cp1.user-data'), 'utf8')).toBe('#cloud-config\n');
  });

  it('creates a missing --out folder private (0700)', async () => {
    const out = join(dir, 'new', 'out');
    await writeUserDataFiles(out, [host]);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
  });
});
