import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/**
 * The CA pin: `sha256:` + hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo.
 * Same form and input as kubeadm's --discovery-token-ca-cert-hash, for RSA and ECDSA alike.
 */
export function caPin(caCertPem: string): string {
  const spki = new X509Certificate(caCertPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

const PIN_FORMAT = /^sha256:[0-9a-f]{64}$/;

/** Checks a pin's form; throws an error that says what a pin looks like. */
export function assertPinFormat(pin: string): void {
  if (!PIN_FORMAT.test(pin)) {
    throw new Error(`invalid CA pin "${pin}": expected "sha256:" followed by 64 lowercase hex digits (see \`kumi token create\`)`);
  }
}

/** A certificate's DER bytes (as TLS hands them over) in PEM form. */
export function derToPem(der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Whether a CA certificate matches a pin (constant-time comparison). */
export function matchesPin(caCertPem: string, pin: string): boolean {
  if (!PIN_FORMAT.test(pin)) return false;
  const actual = Buffer.from(caPin(caCertPem));
  const expected = Buffer.from(pin);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function certCommonName(certPem: string): string {
  const subject = new X509Certificate(certPem).subject;
  const line = subject.split('\n').find((part) => part.startsWith('CN='));
  return line ? line.slice(3) : '';
}

export type PeerCheck = { ok: true; commonName: string } | { ok: false; reason: string };

/**
 * Checks a client certificate presented on a connection: issued and signed by this CA,
 * currently valid, and meant for client authentication.
 */
export function verifyPeerCert(certPem: string, caCertPem: string, now: Date = new Date()): PeerCheck {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caCertPem);
  } catch {
    return { ok: false, reason: 'the client certificate cannot be parsed' };
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    return { ok: false, reason: 'the client certificate was not issued by this cluster\'s CA' };
  }
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) {
    return { ok: false, reason: `the client certificate is not valid now (valid ${cert.validFrom} to ${cert.validTo})` };
  }
  if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH_OID)) {
    return { ok: false, reason: 'the certificate is not a client certificate' };
  }
  return { ok: true, commonName: certCommonName(certPem) };
}
