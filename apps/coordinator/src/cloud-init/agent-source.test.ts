import { describe, expect, it } from 'vitest';
import { parseAgentSource, parseSha256Sums } from './agent-source';

const X64 = 'a'.repeat(64);
const ARM = 'b'.repeat(64);
const SUMS = { path: 'SHA256SUMS', text: `${X64}  kumi-agent-linux-x64\n${ARM}  kumi-agent-linux-arm64\n` };

describe('parseAgentSource', () => {
  it.each([
    ['per-arch URL with a sums file', { url: 'https://f.example/kumi-agent-linux-{arch}', sha256: [], sums: SUMS }, { x64: X64, arm64: ARM }],
    ['per-arch URL with ARCH=HEX', { url: 'https://f.example/{arch}/kumi-agent', sha256: [`x64=${X64}`] }, { x64: X64, arm64: undefined }],
    ['flag beats the sums file', { url: 'https://f.example/{arch}', sha256: [`arm64=${X64}`], sums: SUMS }, { x64: X64, arm64: X64 }],
    ['one file, one digest', { url: 'http://10.0.0.5/kumi-agent', sha256: [X64.toUpperCase()] }, { any: X64 }],
  ])('%s', (_name, flags, sha256) => {
    expect(parseAgentSource(flags).sha256).toEqual(sha256);
  });

  it.each([
    ['a digest without a URL', { sha256: [X64] }, /--agent-sha256 and --agent-sums go with --agent-url/],
    ['not http', { url: 'ftp://f.example/a', sha256: [X64] }, /only http:\/\/ and https:\/\//],
    ['not a URL', { url: 'kumi-agent', sha256: [X64] }, /absolute http/],
    ['a quote in the URL', { url: "https://f.example/a'b", sha256: [X64] }, /must not contain/],
    ['no digest', { url: 'https://f.example/a', sha256: [] }, /missing --agent-sha256/],
    ['a short digest', { url: 'https://f.example/a', sha256: ['abc'] }, /64 hex digits/],
    ['an unknown arch', { url: 'https://f.example/{arch}', sha256: [`riscv64=${X64}`] }, /x64 or arm64/],
    ['a bare digest for a per-arch URL', { url: 'https://f.example/{arch}', sha256: [X64] }, /not one bare digest/],
    ['no digest for a per-arch URL', { url: 'https://f.example/{arch}', sha256: [] }, /missing agent checksums/],
  ])('refuses %s', (_name, flags, message) => {
    expect(() => parseAgentSource(flags)).toThrow(message);
  });
});

describe('parseSha256Sums', () => {
  it('reads sha256sum lines, with or without a folder or binary marker', () => {
    expect(parseSha256Sums(`${X64} *dist/kumi-agent-linux-x64\n${ARM}  kumi-agent-linux-arm64\nnoise\n`, 'S')).toEqual({ x64: X64, arm64: ARM });
  });

  it('refuses a file without agent lines', () => {
    expect(() => parseSha256Sums(`${X64}  something-else\n`, 'S')).toThrow(/S has no/);
  });
});
