import { createHash, X509Certificate } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { derToPem, verifyPeerCert } from '@kumi/trust';
import type { StateStore } from '../state/state-store';
import { statusError } from './status-error';

/** The host an Attach call is authenticated as. */
export interface PeerIdentity {
  hostName: string;
  certSha256: string;
}

/** What a checked certificate of an enrolled host is good for: its host and its validity. */
interface VerifiedCert {
  hostName: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/** Certificates checked by parsing (hosts converted from an older kumi) that are remembered. */
const MAX_PARSED = 16_384;

/**
 * Authenticates Attach calls from memory: the sha256 of the presented certificate is
 * looked up among the enrolled hosts' current certificates, whose validity was recorded
 * when they were issued. Only a certificate the state does not describe (unknown, replaced,
 * or enrolled by an older kumi without its validity) is parsed, and the verdict for a
 * current certificate is remembered, so no attach reads a file or parses twice.
 */
export class PeerAuthenticator {
  readonly #parsed = new Map<string, VerifiedCert>();

  constructor(
    private readonly caCertPem: string,
    private readonly store: StateStore,
  ) {}

  /**
   * Checks the client certificate of an Attach call: present, verified by TLS against
   * the cluster CA, issued by that CA for client auth and valid now, and the certificate
   * most recently issued to an enrolled host. Throws a gRPC UNAUTHENTICATED /
   * PERMISSION_DENIED error otherwise.
   */
  authenticate(call: { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } }, now = new Date()): PeerIdentity {
    // grpc-js only reports a peer certificate that Node verified against our CA; a
    // missing certificate and one from another CA both end up here.
    const peer = call.getAuthContext().sslPeerCertificate;
    if (!peer?.raw) {
      throw statusError(
        status.UNAUTHENTICATED,
        'Attach needs a client certificate issued by this cluster\'s CA (none was presented, or it was issued by another CA or has expired): enroll the agent with a bootstrap token first (`kumi token create`)',
      );
    }
    const certSha256 = createHash('sha256').update(peer.raw).digest('hex');
    const verified = this.#known(certSha256) ?? this.#parse(peer.raw, certSha256, now);
    const nowMs = now.getTime();
    if (nowMs < verified.notBeforeMs || nowMs > verified.notAfterMs) {
      throw statusError(
        status.UNAUTHENTICATED,
        `client certificate refused: the client certificate is not valid now (valid ${new Date(verified.notBeforeMs).toISOString()} to ${new Date(verified.notAfterMs).toISOString()}); enroll the agent again with a new bootstrap token`,
      );
    }
    return { hostName: verified.hostName, certSha256 };
  }

  /** The certificate as the state recorded it when it was issued, if it is a host's current one. */
  #known(certSha256: string): VerifiedCert | undefined {
    const host = this.store.hostByCertificate(certSha256);
    if (host?.notBefore && host.notAfter) return { hostName: host.hostName, notBeforeMs: Date.parse(host.notBefore), notAfterMs: Date.parse(host.notAfter) };
    const parsed = this.#parsed.get(certSha256);
    // A remembered verdict holds only while the certificate is still its host's current one.
    return parsed && host?.hostName === parsed.hostName ? parsed : undefined;
  }

  #parse(raw: Buffer, certSha256: string, now: Date): VerifiedCert {
    const verdict = verifyPeerCert(derToPem(raw), this.caCertPem, now);
    if (!verdict.ok) {
      throw statusError(status.UNAUTHENTICATED, `client certificate refused: ${verdict.reason}; enroll the agent again with a new bootstrap token`);
    }
    const enrolled = this.store.host(verdict.commonName);
    if (!enrolled) {
      throw statusError(status.PERMISSION_DENIED, `host "${verdict.commonName}" is not enrolled in this cluster: enroll it with a bootstrap token (\`kumi token create --host ${verdict.commonName}\`)`);
    }
    if (enrolled.certSha256 !== certSha256) {
      throw statusError(
        status.PERMISSION_DENIED,
        `the client certificate of host "${verdict.commonName}" was replaced by a later enrollment (${enrolled.enrolledAt}); use the newest certificate or enroll again`,
      );
    }
    const cert = new X509Certificate(raw);
    const verified: VerifiedCert = { hostName: verdict.commonName, notBeforeMs: Date.parse(cert.validFrom), notAfterMs: Date.parse(cert.validTo) };
    if (this.#parsed.size >= MAX_PARSED) this.#parsed.delete(this.#parsed.keys().next().value as string);
    this.#parsed.set(certSha256, verified);
    return verified;
  }
}
