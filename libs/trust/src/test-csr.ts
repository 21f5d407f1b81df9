import { type CryptoKeyPair, subtle, x509 } from './x509-provider';

/** The key a test CSR is made with. */
export type TestCsrKey = { rsaBits: number } | { ed25519: true } | { curve: 'P-256' | 'P-384' };

/**
 * A real CSR signed with a key of the given kind, for tests of the key policy (the
 * agent itself only makes ECDSA P-256 keys). Not for production use: weak keys on purpose.
 */
export async function csrWithKey(hostName: string, kind: TestCsrKey): Promise<string> {
  const [generate, sign] =
    'rsaBits' in kind
      ? [{ name: 'RSASSA-PKCS1-v1_5', modulusLength: kind.rsaBits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }]
      : 'ed25519' in kind
        ? [{ name: 'Ed25519' }, { name: 'Ed25519' }]
        : [{ name: 'ECDSA', namedCurve: kind.curve }, { name: 'ECDSA', hash: kind.curve === 'P-384' ? 'SHA-384' : 'SHA-256' }];
  const keys = (await subtle.generateKey(generate as Parameters<typeof subtle.generateKey>[0], true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${hostName}`, keys, signingAlgorithm: sign });
  return csr.toString('pem');
}
