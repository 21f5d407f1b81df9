import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildParams, readSecretFiles } from './step-params';

describe('buildParams', () => {
  it.each([
    [undefined, ['a=1', 'b=true', 'c=text', 'd=[1,2]', 'e="quoted"', 'f=x=y', 'g='], { a: 1, b: true, c: 'text', d: [1, 2], e: 'quoted', f: 'x=y', g: '' }],
    ['{"a":1,"b":"keep"}', ['a=2'], { a: 2, b: 'keep' }],
    ['{}', [], {}],
  ])('%s + %j → %j', (json, pairs, expected) => {
    expect(buildParams(json, pairs)).toEqual(expected);
  });

  it.each([
    [undefined, ['novalue'], /invalid --param "novalue": use KEY=VALUE/],
    [undefined, ['=x'], /invalid --param "=x"/],
    ['{oops', [], /--params-json is not valid JSON/],
    ['[1,2]', [], /--params-json must be a JSON object/],
    ['null', [], /--params-json must be a JSON object/],
  ])('refuses %s %j', (json, pairs, message) => {
    expect(() => buildParams(json, pairs)).toThrow(message);
  });
});

describe('readSecretFiles', () => {
  it('reads each secret from its file without the trailing newline, and names a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kumi-secret-'));
    try {
      await writeFile(join(dir, 'key'), 'c0ffee\n', { mode: 0o600 });
      expect(await readSecretFiles([`certificateKey=${join(dir, 'key')}`])).toEqual({ certificateKey: 'c0ffee' });
      await expect(readSecretFiles([`x=${join(dir, 'missing')}`])).rejects.toThrow(/cannot read secret "x" from .*missing \(ENOENT\)/);
      await expect(readSecretFiles(['nopath'])).rejects.toThrow(/use NAME=PATH/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
