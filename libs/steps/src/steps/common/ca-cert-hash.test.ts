import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caCertHash } from './ca-cert-hash';

const dir = mkdtempSync(join(tmpdir(), 'kumi-ca-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeCa(name: string, keyArgs: string[]): string {
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-nodes', ...keyArgs, '-keyout', join(dir, `${name}.key`), '-out', cert, '-days', '1', '-subj', '/CN=kubernetes'], { stdio: 'pipe' });
  return cert;
}

/** The expected hash computed by openssl alone: SPKI in DER, then SHA-256. */
function opensslHash(cert: string): string {
  const pubkey = execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', cert]);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: pubkey });
  expect(der.length).toBeGreaterThan(50);
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der, encoding: 'utf8' });
  return `sha256:${digest.split(' ')[0]}`;
}

describe('caCertHash', () => {
  it.each([
    ['RSA', ['-newkey', 'rsa:2048']],
    ['ECDSA P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
  ])('equals the openssl SPKI pipeline for a %s CA', (name, keyArgs) => {
    const cert = makeCa(name.replace(/\W/g, ''), keyArgs);
    const hash = caCertHash(readFileSync(cert, 'utf8'));
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash).toBe(opensslHash(cert));
  });

  it('differs between two CAs', () => {
    const a = caCertHash(readFileSync(makeCa('a', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']), 'utf8'));
    const b = caCertHash(readFileSync(makeCa('b', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']), 'utf8'));
    expect(a).not.toBe(b);
  });
});
