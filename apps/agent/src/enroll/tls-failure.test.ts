import { describe, expect, it } from 'vitest';
import { nameMismatchAdvice, tlsVerificationFailure } from './tls-failure';

describe('tlsVerificationFailure', () => {
  it.each([
    [
      "No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: 127.0.0.1. Resolution note: ",
      'name-mismatch',
    ],
    ['No connection established. Last error: Error: certificate has expired (CERT_HAS_EXPIRED)', 'certificate-rejected'],
    ['No connection established. Last error: Error: self-signed certificate in certificate chain SELF_SIGNED_CERT_IN_CHAIN', 'certificate-rejected'],
    ['No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.5:7443', undefined],
    ['No connection established. Last error: Error: connect EHOSTUNREACH 10.0.0.5:7443', undefined],
    ['Deadline exceeded after 15.001s', undefined],
    ['MY_CERT_HAS_EXPIRED_NOT_REALLY', undefined],
  ])('%s → %s', (detail, expected) => {
    expect(tlsVerificationFailure(detail)).toBe(expected);
  });

  it('names both fixes for an address missing from the certificate', () => {
    expect(nameMismatchAdvice('10.0.0.5')).toBe(
      'point --coordinator at an address the certificate names, or create the cluster with `kumi init --address 10.0.0.5` (repeatable) so its certificate names 10.0.0.5',
    );
  });
});
