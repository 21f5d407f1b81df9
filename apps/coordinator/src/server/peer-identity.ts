import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { derToPem, verifyPeerCert } from '@kumi/trust';
import type { HostRegistry } from '../state/host-registry';
import { statusError } from './status-error';

/** The host an Attach call is authenticated as. */
export interface PeerIdentity {
  hostName: string;
  certSha256: string;
}

/**
 * Checks the client certificate of an Attach call: present, verified by TLS against the
 * cluster CA, issued by that CA for client auth and valid now (checked again here with
 * @kumi/trust), and the certificate most recently issued to an enrolled host. Throws a
 * gRPC UNAUTHENTICATED / PERMISSION_DENIED error otherwise.
 */
export async function authenticatePeer(
  call: { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } },
  caCertPem: string,
  hosts: HostRegistry,
  now = new Date(),
): Promise<PeerIdentity> {
  // grpc-js only reports a peer certificate that Node verified against our CA; a
  // missing certificate and one from another CA both end up here.
  const peer = call.getAuthContext().sslPeerCertificate;
  if (!peer?.raw) {
    throw statusError(
      status.UNAUTHENTICATED,
      'Attach needs a client certificate issued by this cluster\'s CA (none was presented, or it was issued by another CA or has expired): enroll the agent with a bootstrap token first (`kumi token create`)',
    );
  }
  const verdict = verifyPeerCert(derToPem(peer.raw), caCertPem, now);
  if (!verdict.ok) {
    throw statusError(status.UNAUTHENTICATED, `client certificate refused: ${verdict.reason}; enroll the agent again with a new bootstrap token`);
  }
  const certSha256 = createHash('sha256').update(peer.raw).digest('hex');
  const enrolled = await hosts.find(verdict.commonName);
  if (!enrolled) {
    throw statusError(status.PERMISSION_DENIED, `host "${verdict.commonName}" is not enrolled in this cluster: enroll it with a bootstrap token (\`kumi token create --host ${verdict.commonName}\`)`);
  }
  if (enrolled.certSha256 !== certSha256) {
    throw statusError(
      status.PERMISSION_DENIED,
      `the client certificate of host "${verdict.commonName}" was replaced by a later enrollment (${enrolled.enrolledAt}); use the newest certificate or enroll again`,
    );
  }
  return { hostName: verdict.commonName, certSha256 };
}
