import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { BIT_STRING, BOOLEAN, children, content, INTEGER, OCTET_STRING, oid, raw, readTlv, SEQUENCE, SET, time, type Tlv, tlv, UTF8_STRING } from './der';
import { checkKeyPolicy } from './key-policy';
import { derToPem } from './verify';

/** A certificate request whose signature verified: the key's owner asked for this name. */
export interface VerifiedCsr {
  commonName: string;
  /** The requested key's SubjectPublicKeyInfo, DER. */
  spkiDer: Buffer;
}

/** A CSR refused: the message says why, and never repeats the request. */
export class CsrRefusedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CsrRefusedError';
  }
}

/** Signature algorithms of a CSR, by OID content (hex), with the hash node:crypto verifies with (null: Ed25519). */
const CSR_SIGNATURES: Record<string, string | null> = {
  '2a8648ce3d040302': 'sha256', // ecdsa-with-SHA256
  '2a8648ce3d040303': 'sha384', // ecdsa-with-SHA384
  '2a8648ce3d040304': 'sha512', // ecdsa-with-SHA512
  '2a864886f70d01010b': 'sha256', // sha256WithRSAEncryption
  '2a864886f70d01010c': 'sha384', // sha384WithRSAEncryption
  '2a864886f70d01010d': 'sha512', // sha512WithRSAEncryption
  '2b6570': null, // Ed25519
};
const CN_OID = '550403';
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1e]);

/**
 * Reads an agent's CSR (PKCS#10, RFC 2986) with node:crypto: its key must pass the key
 * policy, its own signature must verify (proof the agent holds the key), and it must
 * name hostName.
 */
export function readClientCsr(csrPem: string, hostName: string): VerifiedCsr {
  let der: Buffer;
  let info: Tlv;
  let spki: Tlv;
  let subject: Tlv;
  let algorithm: string;
  let signature: Buffer;
  try {
    der = pemBody(csrPem, 'CERTIFICATE REQUEST');
    const outer = readTlv(der, 0);
    const [requestInfo, signatureAlgorithm, signatureBits] = children(der, outer);
    if (!requestInfo || !signatureAlgorithm || !signatureBits || signatureBits.tag !== BIT_STRING) throw new Error('not a CSR');
    info = requestInfo;
    const [, name, key] = children(der, info);
    if (!name || !key) throw new Error('not a CSR');
    subject = name;
    spki = key;
    const algorithmOid = children(der, signatureAlgorithm)[0];
    if (!algorithmOid) throw new Error('not a CSR');
    algorithm = content(der, algorithmOid).toString('hex');
    signature = content(der, signatureBits).subarray(1);
  } catch (error) {
    throw new CsrRefusedError('the certificate request is not a valid PEM PKCS#10 request', { cause: error });
  }
  const spkiDer = raw(der, spki);
  // The policy comes first: verifying a signature made with a weak key proves little.
  const policy = checkKeyPolicy(spkiDer);
  if (!policy.ok) throw new CsrRefusedError(`the certificate request's key is refused: ${policy.reason}`);
  if (!(algorithm in CSR_SIGNATURES)) throw new CsrRefusedError('the certificate request is signed with an algorithm kumi does not accept');
  let verified = false;
  try {
    verified = verify(CSR_SIGNATURES[algorithm] ?? null, raw(der, info), createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }), signature);
  } catch {
    verified = false;
  }
  if (!verified) throw new CsrRefusedError('the certificate request signature does not verify');
  const commonName = firstCommonName(der, subject);
  if (commonName !== hostName) {
    throw new CsrRefusedError(`the certificate request is for "${commonName ?? ''}", not for host "${hostName}"`);
  }
  return { commonName, spkiDer };
}

function firstCommonName(der: Buffer, name: Tlv): string | undefined {
  for (const rdn of children(der, name)) {
    for (const attribute of children(der, rdn)) {
      const [type, value] = children(der, attribute);
      if (type && value && content(der, type).toString('hex') === CN_OID && STRING_TAGS.has(value.tag)) return content(der, value).toString('utf8');
    }
  }
  return undefined;
}

function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new Error(`no ${label} PEM block`);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/** The parts of the CA every client certificate repeats, read once. */
interface CaParts {
  issuer: Buffer;
  authorityKeyId: Buffer;
  signingKey: KeyObject;
}

const LEAF_LIFETIME_MS = 365 * 24 * 3600_000;
// Tolerates clocks a little behind the issuer's, as kubeadm does for its certificates.
const BACKDATE_MS = 5 * 60 * 1000;
const ECDSA_WITH_SHA256 = tlv(SEQUENCE, oid('1.2.840.10045.4.3.2'));

/**
 * Signs agents' requests as client certificates (1 year, CN = host name, clientAuth,
 * digitalSignature) with node:crypto: a certificate costs one ECDSA signature. The CA's
 * key and certificate are read once.
 */
export class ClientCertIssuer {
  readonly #ca: CaParts;

  constructor(ca: { certPem: string; keyPem: string }) {
    const der = new X509Certificate(ca.certPem).raw;
    const tbs = children(der, readTlv(der, 0))[0] as Tlv;
    // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, spki, ..., [3] extensions.
    const fields = children(der, tbs);
    const subject = fields[5] as Tlv;
    const extensions = fields.find((field) => field.tag === 0xa3);
    const subjectKeyId = extensions ? extensionValue(der, children(der, extensions)[0] as Tlv, '551d0e') : undefined;
    if (!subjectKeyId) throw new Error('the CA certificate has no subject key identifier');
    const keyId = content(subjectKeyId, readTlv(subjectKeyId, 0));
    this.#ca = { issuer: raw(der, subject), authorityKeyId: tlv(SEQUENCE, tlv(0x80, keyId)), signingKey: createPrivateKey(ca.keyPem) };
  }

  /** Issues a client certificate for a verified CSR. */
  issue(csr: VerifiedCsr, now = Date.now()): string {
    const serial = randomBytes(16);
    // Positive and minimally encoded: top bit clear, next one set.
    serial[0] = ((serial[0] as number) & 0x3f) | 0x40;
    const extensions = tlv(
      SEQUENCE,
      extension('2.5.29.19', true, tlv(SEQUENCE)),
      // Leaf keys sign (ECDSA, Ed25519, RSA with ECDHE or TLS 1.3); RFC 5480 forbids keyEncipherment for ECDSA.
      extension('2.5.29.15', true, tlv(BIT_STRING, Buffer.from([0x07, 0x80]))),
      extension('2.5.29.37', false, tlv(SEQUENCE, oid('1.3.6.1.5.5.7.3.2'))),
      extension('2.5.29.35', false, this.#ca.authorityKeyId),
    );
    const tbs = tlv(
      SEQUENCE,
      tlv(0xa0, tlv(INTEGER, Buffer.from([2]))),
      tlv(INTEGER, serial),
      ECDSA_WITH_SHA256,
      this.#ca.issuer,
      tlv(SEQUENCE, time(new Date(now - BACKDATE_MS)), time(new Date(now + LEAF_LIFETIME_MS))),
      tlv(SEQUENCE, tlv(SET, tlv(SEQUENCE, oid('2.5.4.3'), tlv(UTF8_STRING, Buffer.from(csr.commonName))))),
      csr.spkiDer,
      tlv(0xa3, extensions),
    );
    const signature = sign('sha256', tbs, this.#ca.signingKey);
    const cert = tlv(SEQUENCE, tbs, ECDSA_WITH_SHA256, tlv(BIT_STRING, Buffer.from([0]), signature));
    return derToPem(cert);
  }
}

function extension(dotted: string, critical: boolean, value: Buffer): Buffer {
  return tlv(SEQUENCE, oid(dotted), ...(critical ? [tlv(BOOLEAN, Buffer.from([0xff]))] : []), tlv(OCTET_STRING, value));
}

/** The extnValue content (DER of the value) of the extension with this OID (hex) in an Extensions sequence. */
function extensionValue(der: Buffer, extensions: Tlv, oidHex: string): Buffer | undefined {
  for (const ext of children(der, extensions)) {
    const parts = children(der, ext);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id && value && content(der, id).toString('hex') === oidHex) return content(der, value);
  }
  return undefined;
}
