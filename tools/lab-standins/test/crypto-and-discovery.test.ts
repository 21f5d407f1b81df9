import 'reflect-metadata';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { detachedJws, detachedJwsIsValid, parseBootstrapToken } from '../src/common/bootstrap-token';
import { createCa, publicKeyPin } from '../src/common/pki';
import { createCertificateKey, decodeCertificateKey, decryptBytes, encryptBytes } from '../src/kubeadm/certs-crypto';

describe('kubeadm-certs encryption', () => {
  it('round-trips with the right key and fails with Go\'s message on a wrong one', () => {
    const key = decodeCertificateKey(createCertificateKey());
    const sealed = encryptBytes(Buffer.from('-----BEGIN CERTIFICATE-----'), key);
    expect(decryptBytes(sealed, key).toString()).toBe('-----BEGIN CERTIFICATE-----');
    expect(() => decryptBytes(sealed, decodeCertificateKey(createCertificateKey()))).toThrow('cipher: message authentication failed');
  });

  it('rejects keys that are not hex AES keys', () => {
    expect(() => decodeCertificateKey('xyz')).toThrow(/invalid byte/);
    expect(() => decodeCertificateKey('abcd')).toThrow('crypto/aes: invalid key size 2');
  });
});

describe('token discovery', () => {
  it('accepts the JWS of the right token only', () => {
    const token = parseBootstrapToken('abcdef.0123456789abcdef');
    const jws = detachedJws('kubeconfig-text', token);
    expect(jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(detachedJwsIsValid(jws, 'kubeconfig-text', token)).toBe(true);
    expect(detachedJwsIsValid(jws, 'kubeconfig-text', parseBootstrapToken('abcdef.0123456789abcdee'))).toBe(false);
    expect(detachedJwsIsValid(jws, 'other-text', token)).toBe(false);
  });

  it('never echoes the secret half of a malformed token', () => {
    expect(() => parseBootstrapToken('abcdef.SECRETSECRETSECR')).toThrow(/does not match/);
    try {
      parseBootstrapToken('abcdef.SECRETSECRETSECR');
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRET');
    }
  });

  it.each(['ECDSA-P256', 'RSA-2048'] as const)('computes the CA pin as openssl does over the SPKI (%s)', async (alg) => {
    const ca = await createCa('kubernetes', alg, new Date());
    const pub = await execa('openssl', ['x509', '-pubkey', '-noout'], { input: ca.certPem });
    const der = await execa('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub.stdout, encoding: 'buffer' });
    const digest = await execa('sha256sum', { input: der.stdout });
    expect(publicKeyPin(ca.certPem)).toBe(`sha256:${digest.stdout.split(' ')[0]}`);
  });
});
