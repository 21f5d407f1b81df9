import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, createKeyAndCsr, signClientCsr } from './certificates';
import { readClientCsr } from './client-cert';
import { checkKeyPolicy } from './key-policy';
import { csrWithKey, type TestCsrKey } from './test-csr';

const spki = (options: Parameters<typeof generateKeyPairSync>[1] & object, type: string) =>
  (generateKeyPairSync as (t: string, o: object) => { publicKey: { export(o: object): Buffer } })(type, options).publicKey.export({ type: 'spki', format: 'der' });

describe('checkKeyPolicy', () => {
  it('accepts ECDSA P-256/P-384, Ed25519 and RSA >= 2048', () => {
    expect(checkKeyPolicy(spki({ namedCurve: 'prime256v1' }, 'ec'))).toEqual({ ok: true, description: 'ECDSA P-256' });
    expect(checkKeyPolicy(spki({ namedCurve: 'secp384r1' }, 'ec'))).toEqual({ ok: true, description: 'ECDSA P-384' });
    expect(checkKeyPolicy(spki({}, 'ed25519'))).toEqual({ ok: true, description: 'Ed25519' });
    expect(checkKeyPolicy(spki({ modulusLength: 2048 }, 'rsa'))).toEqual({ ok: true, description: 'RSA 2048' });
  });

  it('refuses RSA below 2048 bits, other curves and other key types, saying the policy', () => {
    for (const [key, text] of [
      [spki({ modulusLength: 1024 }, 'rsa'), /RSA key has 1024 bits, fewer than the 2048/],
      [spki({ namedCurve: 'secp521r1' }, 'ec'), /curve secp521r1/],
      [spki({ namedCurve: 'secp256k1' }, 'ec'), /curve secp256k1/],
      [spki({}, 'ed448'), /key type ed448/],
    ] as const) {
      const verdict = checkKeyPolicy(key);
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.reason).toMatch(text);
        expect(verdict.reason).toContain('ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048 bits');
      }
    }
  });
});

describe('readClientCsr and the key policy', () => {
  it('refuses real RSA-512 and RSA-1024 CSRs and signs RSA-2048, Ed25519 and P-384 ones', async () => {
    const ca = await createCa('kumi-test');
    for (const bits of [512, 1024]) {
      const csrPem = await csrWithKey('worker1', { rsaBits: bits });
      expect(() => readClientCsr(csrPem, 'worker1')).toThrow(new RegExp(`RSA key has ${bits} bits`));
    }
    for (const kind of [{ rsaBits: 2048 }, { ed25519: true }, { curve: 'P-384' }] as TestCsrKey[]) {
      const certPem = await signClientCsr(ca, await csrWithKey('worker1', kind), 'worker1');
      expect(certPem).toMatch(/BEGIN CERTIFICATE/);
    }
    const { csrPem } = await createKeyAndCsr('worker1');
    expect(readClientCsr(csrPem, 'worker1').commonName).toBe('worker1');
  });
});
