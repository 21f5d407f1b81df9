/** Node's codes for a server certificate that TLS verification rejected (not a network problem). */
const VERIFICATION_CODES = [
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
] as const;

/** Why TLS verification failed, when it did. */
export type TlsVerificationFailure = 'name-mismatch' | 'certificate-rejected';

/**
 * Reads a connection error text (grpc-js reports only text, e.g. "No connection
 * established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: ...") and tells a TLS
 * verification failure, which retrying cannot fix, from a network failure, which it can.
 */
export function tlsVerificationFailure(detail: string): TlsVerificationFailure | undefined {
  const code = VERIFICATION_CODES.find((candidate) => new RegExp(`\\b${candidate}\\b`).test(detail));
  if (code === undefined) return undefined;
  return code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'name-mismatch' : 'certificate-rejected';
}

/** The fix for a coordinator certificate that does not name the address the agent dials. */
export function nameMismatchAdvice(host: string): string {
  return `point --coordinator at an address the certificate names, or create the cluster with \`kumi init --address ${host}\` (repeatable) so its certificate names ${host}`;
}
