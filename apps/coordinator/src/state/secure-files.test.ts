import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from './secure-files';

describe('writePrivateFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-secure-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the content with mode 0600 and leaves no temporary file', async () => {
    await writePrivateFile(join(dir, 'tokens.json'), '{"version":1}\n');
    expect(await readFile(join(dir, 'tokens.json'), 'utf8')).toBe('{"version":1}\n');
    expect((await stat(join(dir, 'tokens.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['tokens.json']);
  });

  it('removes its temporary copy when the file cannot be replaced', async () => {
    // A non-empty folder in the way makes the final rename fail.
    await mkdir(join(dir, 'ca.key', 'inside'), { recursive: true });
    await expect(writePrivateFile(join(dir, 'ca.key'), 'KEY MATERIAL')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['ca.key']);
  });
});
