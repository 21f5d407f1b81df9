import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptBytes } from '@kumi/lab-standins/kubeadm/certs-crypto';
import { MintedSecrets, scanForSecrets } from './leak-scan';
import { parseProgressLine, parseProgressStream } from './progress-records';

const event = (seq: number, extra: Record<string, unknown> = {}) => JSON.stringify({ seq, kind: 'START', stage: 'init', host: 'master1', step: 'kubeadm.init', ...extra });

describe('NDJSON progress events', () => {
  it('accepts events with host, stage, step, kind and an increasing seq', () => {
    expect(parseProgressStream(`${event(1)}\n${event(2, { kind: 'DONE' })}\n`).map((e) => e.kind)).toEqual(['START', 'DONE']);
  });

  it('names the missing field, a bad seq and a line that is not JSON', () => {
    expect(() => parseProgressLine(JSON.stringify({ seq: 1, kind: 'X', stage: '', step: '' }))).toThrow(/field "host"/);
    expect(() => parseProgressLine(JSON.stringify({ seq: 0, kind: 'X', stage: '', step: '', host: '' }))).toThrow(/field "seq"/);
    expect(() => parseProgressStream(`${event(2)}\n${event(2)}`)).toThrow(/line 2: seq 2 does not follow 2/);
    expect(() => parseProgressStream('kumi: failed')).toThrow(/line 1 is not a progress event/);
  });
});

describe('leak scan', () => {
  it('finds a token (or its secret half) and a certificate key that decrypts an upload, nothing else', () => {
    const secrets = new MintedSecrets();
    secrets.tokens.add('abcdef.0123456789abcdef');
    const key = randomBytes(32);
    const upload = encryptBytes(Buffer.from('ca.key'), key);
    secrets.encryptedCerts.set(upload.toString('base64'), upload);
    const found = scanForSecrets(secrets, [
      ['a', 'token abcdef.0123456789abcdef'],
      ['b', 'secret 0123456789abcdef alone'],
      ['c', `key ${key.toString('hex')}`],
      ['d', `another key ${randomBytes(32).toString('hex')}, token id abcdef.***`],
    ]);
    expect(found.map((leak) => `${leak.where}: ${leak.what}`)).toEqual(['a: bootstrap token abcdef.***', 'b: bootstrap token abcdef.***', 'c: the certificate key']);
  });
});
