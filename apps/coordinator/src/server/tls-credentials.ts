import { ServerCredentials } from '@grpc/grpc-js';

/**
 * Server credentials that ask every client for a certificate but let clients without
 * one finish the handshake: Enroll must work before an agent has a certificate, so
 * Attach checks the peer certificate itself (see peer-identity.ts). Node still
 * verifies a presented certificate against the CA and records the result on the
 * socket, which is what grpc-js' getAuthContext() reports.
 *
 * createSsl(ca, pairs, false) would not request a certificate at all, and
 * createSsl(..., true) would turn away agents that are not enrolled yet.
 */
class OptionalClientCertCredentials extends ServerCredentials {
  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

/** Credentials for the coordinator's TLS port, built from PEM strings. */
export function coordinatorServerCredentials(material: { caCertPem: string; serverCertPem: string; serverKeyPem: string }): ServerCredentials {
  return new OptionalClientCertCredentials(
    { requestCert: true, rejectUnauthorized: false },
    { ca: material.caCertPem, cert: material.serverCertPem, key: material.serverKeyPem },
  );
}
