import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCa } from './certificates';
import { assertPinFormat, caPin, certCommonName, derToPem, matchesPin } from './verify';

const dir = mkdtempSync(join(tmpdir(), 'kumi-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pin computed independently of kumi: openssl's SPKI in DER, hashed with sha256sum. */
function opensslPin(certPem: string): string {
  const certFile = join(dir, `ca-${Math.random()}.crt`);
  writeFileSync(certFile, certPem);
  const pub = execFileSync('openssl', ['x509', '-in', certFile, '-pubkey', '-noout']);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: pub });
  const hex = execFileSync('sha256sum', { input: der }).toString().split(' ')[0];
  return `sha256:${hex}`;
}

describe('caPin', () => {
  it('equals the SHA-256 of the DER SPKI for an ECDSA CA', async () => {
    const ca = await createCa('kumi-test');
    expect(caPin(ca.certPem)).toBe(opensslPin(ca.certPem));
  });

  it('equals the SHA-256 of the DER SPKI for an RSA CA', () => {
    const key = join(dir, 'rsa.key');
    const crt = join(dir, 'rsa.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=rsa-ca', '-days', '1'], { stdio: 'pipe' });
    const pem = readFileSync(crt, 'utf8');
    expect(caPin(pem)).toBe(opensslPin(pem));
  });

  it('matches only the right CA', async () => {
    const ca = await createCa('kumi-test');
    const other = await createCa('kumi-other');
    expect(matchesPin(ca.certPem, caPin(ca.certPem))).toBe(true);
    expect(matchesPin(other.certPem, caPin(ca.certPem))).toBe(false);
    expect(matchesPin(ca.certPem, 'sha256:short')).toBe(false);
    expect(certCommonName(ca.certPem)).toBe('kumi-test');
  });

  it('turns DER bytes back into the same certificate in PEM form', async () => {
    const ca = await createCa('kumi-der');
    const der = new X509Certificate(ca.certPem).raw;
    const pem = derToPem(der);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
    expect(new X509Certificate(pem).raw.equals(der)).toBe(true);
    expect(caPin(pem)).toBe(caPin(ca.certPem));
  });

  it('explains the pin format', () => {
    expect(() => assertPinFormat('abc')).toThrow(/expected "sha256:" followed by 64 lowercase hex digits/);
    expect(() => assertPinFormat(`sha256:${'a'.repeat(64)}`)).not.toThrow();
  });
});
