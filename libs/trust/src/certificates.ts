import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ClientCertIssuer, readClientCsr } from './client-cert';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem } from './keys';
import { EC_SIGN, x509, type CryptoKey } from './x509-provider';

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_LIFETIME_MS = 3650 * DAY_MS;
const LEAF_LIFETIME_MS = 365 * DAY_MS;
// Tolerates clocks a little behind the issuer's, as kubeadm does for its certificates.
const BACKDATE_MS = 5 * 60 * 1000;

function serial(): string {
  // Positive 128-bit serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function validity(lifetimeMs: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + lifetimeMs) };
}

function dn(commonName: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(commonName)) {
    throw new Error(`invalid common name "${commonName}": use 1-64 letters, digits, '.', '_' or '-'`);
  }
  return `CN=${commonName}`;
}

/** Creates a self-signed ECDSA P-256 certificate authority valid for 10 years. */
export async function createCa(commonName: string): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(commonName),
    ...validity(CA_LIFETIME_MS),
    keys,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
}

interface LeafOptions {
  commonName: string;
  publicKey: CryptoKey | x509.PublicKey;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}

/** A CA ready to sign: certificate parsed, key imported, authority key id made. */
interface PreparedCa {
  caCert: x509.X509Certificate;
  signingKey: CryptoKey;
  authorityKeyId: x509.AuthorityKeyIdentifierExtension;
}

async function prepareCa(ca: KeyPairPem): Promise<PreparedCa> {
  const caCert = new x509.X509Certificate(ca.certPem);
  return { caCert, signingKey: await privateKeyFromPem(ca.keyPem), authorityKeyId: await x509.AuthorityKeyIdentifierExtension.create(caCert, false) };
}

async function issueLeaf(ca: PreparedCa, options: LeafOptions): Promise<string> {
  const { caCert, signingKey } = ca;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // ECDSA keys sign; RFC 5480 forbids keyEncipherment for them.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ca.authorityKeyId,
  ];
  const names = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => {
      if (!isIP(value)) throw new Error(`invalid IP address "${value}" for a certificate SAN`);
      return { type: 'ip' as const, value };
    }),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(options.commonName),
    issuer: caCert.subject,
    ...validity(LEAF_LIFETIME_MS),
    publicKey: options.publicKey,
    signingKey,
    signingAlgorithm: EC_SIGN,
    extensions,
  });
  return cert.toString('pem');
}

/** Issues the coordinator's TLS serving certificate (1 year) with the given SANs. */
export async function issueServerCert(
  ca: KeyPairPem,
  names: { commonName: string; dnsNames: readonly string[]; ipAddresses: readonly string[] },
): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const certPem = await issueLeaf(await prepareCa(ca), { ...names, publicKey: keys.publicKey });
  return { certPem, keyPem: await privateKeyToPem(keys.privateKey) };
}

/** Agent side: a fresh private key, made on the host, and a CSR for it (CN = host name). */
export async function createKeyAndCsr(hostName: string): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: dn(hostName),
    keys,
    signingAlgorithm: EC_SIGN,
  });
  return { keyPem: await privateKeyToPem(keys.privateKey), csrPem: csr.toString('pem') };
}

/**
 * Signs an agent's CSR as a client certificate (1 year) after checking the request's own
 * signature (proof the agent holds the key), its key against the key policy and that it
 * names the host being enrolled.
 */
export async function signClientCsr(ca: KeyPairPem, csrPem: string, hostName: string): Promise<string> {
  return new ClientCertIssuer(ca).issue(readClientCsr(csrPem, hostName));
}
