import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../cli/exit-codes';
import { readJsonIfExists, writePrivateFile } from './secure-files';

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

describe('readJsonIfExists', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-secure-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns undefined for a missing file and the value for a JSON file', async () => {
    expect(await readJsonIfExists(join(dir, 'missing.json'))).toBeUndefined();
    await writeFile(join(dir, 'hosts.json'), '{"version":1}');
    expect(await readJsonIfExists(join(dir, 'hosts.json'))).toEqual({ version: 1 });
  });

  it('turns a damaged file into a state error naming the file and the fix, without quoting it', async () => {
    await writeFile(join(dir, 'hosts.json'), '{"version":1,"hosts":[{"hostName":"cp1-private"');
    const failure = readJsonIfExists(join(dir, 'hosts.json'));
    await expect(failure).rejects.toThrow(`${join(dir, 'hosts.json')} is not valid JSON`);
    await expect(failure).rejects.toThrow(/restore it from a backup, or move it aside/);
    await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.STATE });
    await expect(failure).rejects.not.toThrow(/cp1-private/);
  });
});
