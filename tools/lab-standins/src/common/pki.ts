import 'reflect-metadata';
import crypto, { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The key algorithms kubeadm's `encryptionAlgorithm` accepts that the lab supports. */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256';

/** A key pair kept both as a WebCrypto pair (for signing) and as PEM (for disk). */
export interface KeyMaterial {
  readonly keys: CryptoKeyPair;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** A certificate with its key, as PEM. */
export interface CertAndKey {
  readonly certPem: string;
  readonly key: KeyMaterial;
}

/** Subject and extensions of a certificate to issue. */
export interface CertSpec {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly usages: readonly ('server' | 'client')[];
  /** Lifetime in days (leaf default 365). */
  readonly days?: number;
}

const DAY_MS = 86_400_000;

function algorithmFor(algorithm: KeyAlgorithm): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  if (algorithm === 'ECDSA-P256') return { name: 'ECDSA', namedCurve: 'P-256' };
  const bits = Number(algorithm.slice(4));
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: bits };
}

function signingAlgorithmOf(key: CryptoKey): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
}

function toPem(key: CryptoKeyPair): { privateKeyPem: string; publicKeyPem: string } {
  const priv = crypto.KeyObject.from(key.privateKey);
  const pub = crypto.KeyObject.from(key.publicKey);
  // kubeadm writes PKCS#1 for RSA and SEC1 for EC keys.
  const type = priv.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1';
  return {
    privateKeyPem: priv.export({ type, format: 'pem' }) as string,
    publicKeyPem: pub.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** Generates a new key pair. */
export async function generateKey(algorithm: KeyAlgorithm): Promise<KeyMaterial> {
  const keys = (await webcrypto.subtle.generateKey(algorithmFor(algorithm), true, ['sign', 'verify'])) as CryptoKeyPair;
  return { keys, ...toPem(keys) };
}

/** Loads a PEM private key (PKCS#1, SEC1 or PKCS#8) for signing. */
export async function loadKey(privateKeyPem: string): Promise<KeyMaterial> {
  const priv = crypto.createPrivateKey(privateKeyPem);
  const pub = crypto.createPublicKey(priv);
  const algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams =
    priv.asymmetricKeyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await webcrypto.subtle.importKey('pkcs8', priv.export({ type: 'pkcs8', format: 'der' }), algorithm, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', pub.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']);
  const keys = { privateKey, publicKey } as CryptoKeyPair;
  return { keys, ...toPem(keys) };
}

function serial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function distinguishedName(commonName: string, organizations: readonly string[] = []): string {
  const escape = (v: string): string => v.replace(/([,+="\\<>;])/g, '\\$1');
  return [...organizations.map((o) => `O=${escape(o)}`), `CN=${escape(commonName)}`].join(', ');
}

/** Creates a self-signed CA (10 years, as kubeadm). */
export async function createCa(commonName: string, algorithm: KeyAlgorithm, now: Date): Promise<CertAndKey> {
  const key = await generateKey(algorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: distinguishedName(commonName),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
    keys: key.keys,
    signingAlgorithm: signingAlgorithmOf(key.keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      await x509.SubjectKeyIdentifierExtension.create(key.keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), key };
}

async function issue(ca: CertAndKey, publicKey: CryptoKey, spec: CertSpec, now: Date): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const ekus = spec.usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
  const names: x509.JsonGeneralName[] = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(ekus),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: distinguishedName(spec.commonName, spec.organizations),
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (spec.days ?? 365) * DAY_MS),
    publicKey,
    signingKey: ca.key.keys.privateKey,
    signingAlgorithm: signingAlgorithmOf(ca.key.keys.privateKey),
    extensions,
  });
  return cert.toString('pem');
}

/** Issues a leaf certificate with a fresh key, signed by `ca`. */
export async function issueCert(ca: CertAndKey, spec: CertSpec, algorithm: KeyAlgorithm, now: Date): Promise<CertAndKey> {
  const key = await generateKey(algorithm);
  return { certPem: await issue(ca, key.keys.publicKey, spec, now), key };
}

/** Creates a PEM certificate signing request for the given subject. */
export async function createCsr(key: KeyMaterial, commonName: string, organizations: readonly string[]): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: distinguishedName(commonName, organizations),
    keys: key.keys,
    signingAlgorithm: signingAlgorithmOf(key.keys.privateKey),
  });
  return csr.toString('pem');
}

/** The subject of a CSR after its self-signature is verified. */
export interface CsrSubject {
  readonly commonName: string;
  readonly organizations: string[];
}

/** Verifies a PEM CSR and reads its subject. */
export async function readCsr(csrPem: string): Promise<CsrSubject & { publicKey: CryptoKey }> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify())) throw new Error('the certificate signing request has an invalid signature');
  const name = csr.subjectName;
  const commonName = name.getField('CN')[0] ?? '';
  const organizations = name.getField('O');
  const algorithm = csr.publicKey.algorithm as webcrypto.Algorithm;
  const publicKey = await csr.publicKey.export(algorithm.name === 'ECDSA' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ['verify']);
  return { commonName, organizations, publicKey };
}

/** Signs a verified CSR as a client certificate. */
export async function signClientCsr(ca: CertAndKey, csrPem: string, now: Date, days = 365): Promise<string> {
  const subject = await readCsr(csrPem);
  return issue(ca, subject.publicKey, { commonName: subject.commonName, organizations: subject.organizations, usages: ['client'], days }, now);
}

/** kubeadm's discovery hash: "sha256:" + hex SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
export function publicKeyPin(certPem: string): string {
  const spki = new crypto.X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${crypto.createHash('sha256').update(spki).digest('hex')}`;
}
