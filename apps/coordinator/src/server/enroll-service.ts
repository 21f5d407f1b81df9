import { createHash, X509Certificate } from 'node:crypto';
import { type sendUnaryData, type ServerUnaryCall, status } from '@grpc/grpc-js';
import type { EnrollRequest__Output, EnrollResponse } from '@kumi/proto';
import { isValidHostName, parseBootstrapToken, signClientCsr, tokenSecretMatches } from '@kumi/trust';
import type { Logger } from '../logging/logger';
import type { HostRegistry } from '../state/host-registry';
import type { TokenStore } from '../state/token-store';
import { statusError } from './status-error';

/** What enrollment needs from the state folder. */
export interface EnrollDeps {
  tokens: TokenStore;
  hosts: HostRegistry;
  ca: { certPem: string; keyPem: string };
  logger: Logger;
  now?: () => Date;
}

/**
 * Enrolls one agent: checks its bootstrap token (known, secret matches in constant
 * time, unused, unexpired, bound to this host if bound at all, and bound to it when the
 * host is already enrolled), signs its CSR with CN =
 * host name, and burns the token, all under the state lock so a token works once even
 * when two agents race. Any refusal signs nothing and burns nothing.
 */
export async function enroll(request: EnrollRequest__Output, deps: EnrollDeps): Promise<EnrollResponse> {
  const now = deps.now?.() ?? new Date();
  const hostName = request.hostName.trim();
  if (!isValidHostName(hostName)) {
    throw statusError(status.INVALID_ARGUMENT, `invalid host name "${hostName.slice(0, 80)}": use a lower-case DNS name (letters, digits, '-', '.')`);
  }
  if (!request.csrPem.includes('BEGIN CERTIFICATE REQUEST')) {
    throw statusError(status.INVALID_ARGUMENT, 'csr_pem is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----): send the CSR made with the agent\'s own key');
  }
  let parsed: { id: string; secret: string };
  try {
    parsed = parseBootstrapToken(request.token);
  } catch {
    // The token text itself never goes into an error or a log.
    throw statusError(status.INVALID_ARGUMENT, 'malformed bootstrap token: expected "id.secret" ([a-z0-9]{6}.[a-z0-9]{16}); copy it exactly as `kumi token create` printed it');
  }
  const { id } = parsed;
  return deps.tokens.update(async (file) => {
    const record = file.tokens.find((t) => t.id === id);
    if (!record || !tokenSecretMatches(parsed.secret, record.secretHash)) {
      deps.logger.warn({ tokenId: id, hostName }, 'enroll refused: unknown token');
      throw statusError(status.UNAUTHENTICATED, `unknown bootstrap token "${id}.…": it was never issued by this cluster or was deleted; create one with \`kumi token create --host ${hostName}\``);
    }
    if (record.usedAt) {
      deps.logger.warn({ tokenId: id, hostName, usedBy: record.usedBy }, 'enroll refused: token already used');
      throw statusError(status.UNAUTHENTICATED, `bootstrap token "${id}" was already used (by host "${record.usedBy}" at ${record.usedAt}); tokens are single-use: create a new one with \`kumi token create --host ${hostName}\``);
    }
    if (Date.parse(record.expiresAt) <= now.getTime()) {
      deps.logger.warn({ tokenId: id, hostName, expiresAt: record.expiresAt }, 'enroll refused: token expired');
      throw statusError(status.UNAUTHENTICATED, `bootstrap token "${id}" expired at ${record.expiresAt}; create a new one with \`kumi token create --host ${hostName}\``);
    }
    if (record.host !== null && record.host !== hostName) {
      deps.logger.warn({ tokenId: id, hostName, boundTo: record.host }, 'enroll refused: token bound to another host');
      throw statusError(status.PERMISSION_DENIED, `bootstrap token "${id}" is bound to host "${record.host}", not "${hostName}"; use that host's token or create one with \`kumi token create --host ${hostName}\``);
    }
    // Enrolling again replaces the host's certificate, and with it who receives the
    // host's steps and secrets: only a token minted for that very host may do that.
    if (record.host === null && (await deps.hosts.find(hostName))) {
      deps.logger.warn({ tokenId: id, hostName }, 'enroll refused: host already enrolled, token not bound to it');
      throw statusError(status.PERMISSION_DENIED, `host "${hostName}" is already enrolled; to enroll it again (e.g. reinstalled), use a token bound to it: \`kumi token create --host ${hostName}\``);
    }
    let certificatePem: string;
    try {
      certificatePem = await signClientCsr(deps.ca, request.csrPem, hostName);
    } catch (error) {
      deps.logger.warn({ tokenId: id, hostName, reason: (error as Error).message }, 'enroll refused: bad CSR');
      throw statusError(status.INVALID_ARGUMENT, `certificate request refused: ${(error as Error).message}; the CSR must be signed by the agent's key and its CN must be "${hostName}"`);
    }
    const certSha256 = createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('hex');
    record.usedAt = now.toISOString();
    record.usedBy = hostName;
    await deps.hosts.record({ hostName, enrolledAt: record.usedAt, certSha256, tokenId: id });
    deps.logger.info({ tokenId: id, hostName }, 'agent enrolled');
    return { result: { certificatePem, caPem: deps.ca.certPem }, changed: true };
  });
}

/** The Enroll handler for grpc-js. */
export function enrollHandler(deps: EnrollDeps) {
  return (call: ServerUnaryCall<EnrollRequest__Output, EnrollResponse>, callback: sendUnaryData<EnrollResponse>) => {
    enroll(call.request, deps).then(
      (response) => callback(null, response),
      (error: Error & { code?: number }) => {
        if (typeof error.code !== 'number') deps.logger.error({ err: error.message }, 'enroll failed');
        callback(typeof error.code === 'number' ? error : statusError(status.INTERNAL, `enrollment failed on the coordinator: ${error.message}`));
      },
    );
  };
}
