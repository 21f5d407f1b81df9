import { createHash, X509Certificate } from 'node:crypto';
import { type sendUnaryData, type ServerUnaryCall, status } from '@grpc/grpc-js';
import type { EnrollRequest__Output, EnrollResponse } from '@kumi/proto';
import { ClientCertIssuer, CsrRefusedError, isValidHostName, parseBootstrapToken, readClientCsr, tokenSecretMatches } from '@kumi/trust';
import type { Logger } from '../logging/logger';
import type { StateStore } from '../state/state-store';
import type { EnrolledHost } from '../state/state-records';
import { type PeerLimitOptions, PeerLimits, peerAddress } from './peer-limits';
import { RefusalLog } from './refusal-log';
import { statusError } from './status-error';
import { BoundedWorkQueue, QueueFullError } from './work-queue';

/** What enrollment needs from the state folder. */
export interface EnrollDeps {
  store: StateStore;
  ca: { certPem: string; keyPem: string };
  logger: Logger;
  now?: () => Date;
}

/** Bounds on enrollment work. */
export interface EnrollLimits {
  /** Enrollments processed at once: each signs (about a millisecond) and then waits for its log record to be on disk. */
  workers: number;
  /** Admitted enrollments waiting for a worker; beyond it callers get UNAVAILABLE. */
  queueCapacity: number;
  /** Per-address limits of Enroll calls (they come before any authentication). */
  peer: PeerLimitOptions;
  /**
   * How long a call over its address' limits, or with a token that fails its check,
   * waits for its refusal. A flood keeping many calls in flight then costs one refusal per
   * call per delay instead of as many as the server can answer; an agent would wait this
   * long before retrying anyway, and a bad token is not fixed by asking faster.
   */
  refusalDelayMs: number;
}

/**
 * Defaults sized for a herd of a thousand VMs booting at once on a 2-core coordinator:
 * an enrollment costs about 2 ms of CPU, so 512 waiting is about a second of work; the
 * rest are told to come back (agents retry with jittered backoff). 32 at once let their
 * log records share fsyncs (group commit). One address may have 64 calls in
 * progress and make 50 per second (bursts of 200), which a NAT of many hosts stays under
 * and a flood from one address hits at once.
 */
export const DEFAULT_ENROLL_LIMITS: EnrollLimits = {
  workers: 32,
  queueCapacity: 512,
  peer: { maxConcurrent: 64, ratePerSecond: 50, burst: 200 },
  refusalDelayMs: 1_000,
};

/** A CSR longer than this is not an agent's: refused before it is parsed. */
const MAX_CSR_CHARS = 16 * 1024;

/** An Enroll request that passed the cheap checks: its token may enroll this host. */
interface Admitted {
  tokenId: string;
  secret: string;
  hostName: string;
  csrPem: string;
  /** The token was already used by this host: only a retry with the same key gets its certificate again. */
  retryOf?: EnrolledHost;
}

type Gone = () => boolean;

/**
 * Enrolls agents. The cheap checks (request form, token: known, secret matching in
 * constant time, unused, unexpired, bound to this host if bound at all, and bound to it
 * when the host is already enrolled) run at once and lock nothing; only then is the
 * costly part queued: reading and verifying the CSR against the key policy, signing it,
 * and burning the token together with the host's certificate record (one log record).
 * The token is checked again in the same synchronous step as the burn, so a token works
 * once even when two agents race. Any refusal signs nothing and burns nothing.
 */
export class Enroller {
  readonly #issuer: ClientCertIssuer;
  readonly #refusals: RefusalLog;

  constructor(private readonly deps: EnrollDeps) {
    this.#issuer = new ClientCertIssuer(deps.ca);
    this.#refusals = new RefusalLog(deps.logger);
  }

  /** The cheap, synchronous checks; throws the gRPC refusal. */
  admit(request: EnrollRequest__Output): Admitted {
    const hostName = request.hostName.trim();
    if (!isValidHostName(hostName)) {
      throw statusError(status.INVALID_ARGUMENT, `invalid host name "${hostName.slice(0, 80)}": use a lower-case DNS name (letters, digits, '-', '.')`);
    }
    if (!request.csrPem.includes('BEGIN CERTIFICATE REQUEST') || request.csrPem.length > MAX_CSR_CHARS) {
      throw statusError(status.INVALID_ARGUMENT, 'csr_pem is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----, at most 16 KiB): send the CSR made with the agent\'s own key');
    }
    let parsed: { id: string; secret: string };
    try {
      parsed = parseBootstrapToken(request.token);
    } catch {
      // The token text itself never goes into an error or a log.
      throw statusError(status.INVALID_ARGUMENT, 'malformed bootstrap token: expected "id.secret" ([a-z0-9]{6}.[a-z0-9]{16}); copy it exactly as `kumi token create` printed it');
    }
    const admitted: Admitted = { tokenId: parsed.id, secret: parsed.secret, hostName, csrPem: request.csrPem };
    const retryOf = this.#checkToken(admitted);
    return retryOf ? { ...admitted, retryOf } : admitted;
  }

  /** The costly part: CSR, signature, burn. gone() tells whether the caller left (nothing is signed or burnt then). */
  async complete(admitted: Admitted, gone: Gone = () => false): Promise<EnrollResponse> {
    const { tokenId, hostName } = admitted;
    if (gone()) throw statusError(status.CANCELLED, 'the caller went away before its enrollment was processed');
    if (!this.deps.store.writable) throw new Error('the state log cannot be written; no enrollment is acknowledged until the coordinator is restarted');
    let csr;
    try {
      csr = readClientCsr(admitted.csrPem, hostName);
    } catch (error) {
      if (!(error instanceof CsrRefusedError)) throw error;
      // A spent token with an unusable request is no retry of a lost answer: it is reuse.
      if (admitted.retryOf) throw this.#alreadyUsed(admitted);
      this.#refusals.warn({ tokenId, hostName, reason: error.message }, 'enroll refused: bad CSR');
      throw statusError(status.INVALID_ARGUMENT, `certificate request refused: ${error.message}; the CSR must be signed by the agent's key and its CN must be "${hostName}"`);
    }
    if (admitted.retryOf) return this.#answerRetry(admitted, admitted.retryOf, csr.spkiDer);
    const certificatePem = this.#issuer.issue(csr);
    // Not burnt for a caller that is gone: it will retry with the token.
    if (gone()) throw statusError(status.CANCELLED, 'the caller went away before its certificate was recorded');
    const cert = new X509Certificate(certificatePem);
    const enrolledAt = this.#now().toISOString();
    const host: EnrolledHost = {
      hostName,
      enrolledAt,
      certSha256: createHash('sha256').update(cert.raw).digest('hex'),
      tokenId,
      certPem: certificatePem,
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
    };
    // Checked again in the same synchronous step as the burn: another enrollment with this
    // token may have finished while this one was signing.
    if (this.#checkToken(admitted)) throw this.#alreadyUsed(admitted);
    await this.deps.store.enroll(tokenId, host);
    this.deps.logger.info({ tokenId, hostName }, 'agent enrolled');
    return { certificatePem, caPem: this.deps.ca.certPem };
  }

  /** The refusal when the token was spent meanwhile; logs it. */
  #alreadyUsed(admitted: Admitted) {
    const record = this.deps.store.token(admitted.tokenId);
    this.#refusals.warn({ tokenId: admitted.tokenId, hostName: admitted.hostName, usedBy: record?.usedBy }, 'enroll refused: token already used');
    return statusError(
      status.UNAUTHENTICATED,
      `bootstrap token "${admitted.tokenId}" was already used (by host "${record?.usedBy ?? '?'}" at ${record?.usedAt ?? '?'}); tokens are single-use: create a new one with \`kumi token create --host ${admitted.hostName}\``,
    );
  }

  /**
   * A token this host already spent: the answer to its enrollment was lost (a crash, a
   * dropped connection), and the agent retries with the same key. Only the same key gets
   * the same certificate again; anything else is a reused token.
   */
  #answerRetry(admitted: Admitted, host: EnrolledHost, spkiDer: Uint8Array): EnrollResponse {
    const issuedKey = host.certPem ? new X509Certificate(host.certPem).publicKey.export({ type: 'spki', format: 'der' }) : undefined;
    if (!host.certPem || !issuedKey?.equals(Buffer.from(spkiDer))) throw this.#alreadyUsed(admitted);
    this.deps.logger.info({ tokenId: admitted.tokenId, hostName: admitted.hostName }, 'enrollment retried with the same key: certificate sent again');
    return { certificatePem: host.certPem, caPem: this.deps.ca.certPem };
  }

  /**
   * The token checks against memory. Returns the host record when the token was spent by
   * this very host for its current certificate (a possible retry), throws otherwise.
   */
  #checkToken(admitted: Admitted): EnrolledHost | undefined {
    const { tokenId: id, secret, hostName } = admitted;
    const { store } = this.deps;
    const record = store.token(id);
    if (!record || !tokenSecretMatches(secret, record.secretHash)) {
      this.#refusals.warn({ tokenId: id, hostName }, 'enroll refused: unknown token');
      throw statusError(status.UNAUTHENTICATED, `unknown bootstrap token "${id}.…": it was never issued by this cluster or was deleted; create one with \`kumi token create --host ${hostName}\``);
    }
    if (record.usedAt) {
      const host = store.host(hostName);
      if (record.usedBy === hostName && host?.tokenId === id) return { ...host };
      throw this.#alreadyUsed(admitted);
    }
    if (Date.parse(record.expiresAt) <= this.#now().getTime()) {
      this.#refusals.warn({ tokenId: id, hostName, expiresAt: record.expiresAt }, 'enroll refused: token expired');
      throw statusError(status.UNAUTHENTICATED, `bootstrap token "${id}" expired at ${record.expiresAt}; create a new one with \`kumi token create --host ${hostName}\``);
    }
    if (record.host !== null && record.host !== hostName) {
      this.#refusals.warn({ tokenId: id, hostName, boundTo: record.host }, 'enroll refused: token bound to another host');
      throw statusError(status.PERMISSION_DENIED, `bootstrap token "${id}" is bound to host "${record.host}", not "${hostName}"; use that host's token or create one with \`kumi token create --host ${hostName}\``);
    }
    // Enrolling again replaces the host's certificate, and with it who receives the
    // host's steps and secrets: only a token minted for that very host may do that.
    if (record.host === null && store.host(hostName)) {
      this.#refusals.warn({ tokenId: id, hostName }, 'enroll refused: host already enrolled, token not bound to it');
      throw statusError(status.PERMISSION_DENIED, `host "${hostName}" is already enrolled; to enroll it again (e.g. reinstalled), use a token bound to it: \`kumi token create --host ${hostName}\``);
    }
    return undefined;
  }

  #now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** Enrolls one agent without the queue and limits (cheap checks, then the costly part). */
export async function enroll(request: EnrollRequest__Output, deps: EnrollDeps): Promise<EnrollResponse> {
  const enroller = new Enroller(deps);
  return enroller.complete(enroller.admit(request));
}

/**
 * The Enroll handler for grpc-js: per-address limits first, then the cheap checks, then
 * the bounded queue for the costly part. Every refusal is a gRPC status whose message
 * names no path and no process id; the busy ones (RESOURCE_EXHAUSTED, UNAVAILABLE) are
 * those an agent retries.
 */
export function enrollHandler(deps: EnrollDeps, limits: EnrollLimits = DEFAULT_ENROLL_LIMITS) {
  const enroller = new Enroller(deps);
  const queue = new BoundedWorkQueue(limits.workers, limits.queueCapacity);
  const peers = new PeerLimits(limits.peer);
  return (call: ServerUnaryCall<EnrollRequest__Output, EnrollResponse>, callback: sendUnaryData<EnrollResponse>) => {
    const admission = peers.admit(peerAddress(call.getPeer()));
    if ('refused' in admission) {
      const refusal = statusError(
        status.RESOURCE_EXHAUSTED,
        admission.refused === 'concurrent'
          ? 'too many enrollment calls from your address at once; retry in a few seconds'
          : 'too many enrollment calls from your address in a short time; retry in a few seconds',
      );
      setTimeout(() => callback(refusal), limits.refusalDelayMs).unref();
      return;
    }
    const gone = () => call.cancelled || (call.getDeadline() instanceof Date && (call.getDeadline() as Date).getTime() <= Date.now());
    const answer = (error: (Error & { code?: number }) | null, response?: EnrollResponse) => {
      if (!error) {
        admission.release();
        callback(null, response);
        return;
      }
      if (error.code === status.UNAUTHENTICATED || error.code === status.PERMISSION_DENIED) {
        // A failed token check waits before it is answered (and keeps its place in the
        // address' limit meanwhile), as a login prompt does: guessing or flooding then
        // costs the server one cheap check per call per delay.
        setTimeout(() => {
          admission.release();
          callback(error);
        }, limits.refusalDelayMs).unref();
        return;
      }
      admission.release();
      if (error instanceof QueueFullError) {
        callback(statusError(status.UNAVAILABLE, 'the coordinator is busy enrolling other hosts; retry in a few seconds'));
      } else if (typeof error.code === 'number') {
        callback(error);
      } else {
        // The detail (it may name files of the state folder) goes to the log only.
        deps.logger.error({ err: error.message }, 'enroll failed');
        callback(statusError(status.UNAVAILABLE, 'the coordinator could not complete this enrollment; retry in a few seconds'));
      }
    };
    let admitted: Admitted;
    try {
      admitted = enroller.admit(call.request);
    } catch (error) {
      answer(error as Error);
      return;
    }
    queue.run(() => enroller.complete(admitted, gone)).then(
      (response) => answer(null, response),
      (error: Error) => answer(error),
    );
  };
}
