import { type sendUnaryData, type ServerUnaryCall, status } from '@grpc/grpc-js';
import type {
  CreateTokenRequest__Output,
  CreateTokenResponse,
  DeleteTokenRequest__Output,
  DeleteTokenResponse,
  ListTokensRequest__Output,
  ListTokensResponse,
} from '@kumi/proto';
import { isValidHostName } from '@kumi/trust';
import type { Logger } from '../logging/logger';
import type { StateStore } from '../state/state-store';
import { tokenInfo } from '../state/token-info';
import { statusError } from './status-error';

/** The longest token life accepted over the socket (the CLI checks --ttl before). */
const MAX_TTL_MS = 366 * 24 * 3600_000;

/**
 * Control handlers for tokens: while this process owns the state folder, `kumi token
 * create|list|delete` in other processes go through these (the socket is 0600, so only
 * the folder's owner reaches them).
 */
export function tokenControlHandlers(store: StateStore, logger: Logger) {
  const failed = (callback: (error: Error) => void) => (error: Error) => {
    logger.error({ err: error.message }, 'token change failed');
    callback(statusError(status.UNAVAILABLE, 'the coordinator could not record the token change; see its log'));
  };
  return {
    CreateToken(call: ServerUnaryCall<CreateTokenRequest__Output, CreateTokenResponse>, callback: sendUnaryData<CreateTokenResponse>) {
      const { host, ttlMs } = call.request;
      if (host !== '' && !isValidHostName(host)) {
        callback(statusError(status.INVALID_ARGUMENT, `invalid host "${host.slice(0, 80)}": use the agent's lower-case host name (letters, digits, '-', '.')`));
        return;
      }
      if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
        callback(statusError(status.INVALID_ARGUMENT, 'ttl_ms must be a positive number of milliseconds, at most a year'));
        return;
      }
      store.createToken({ ttlMs, ...(host ? { host } : {}) }).then(
        (created) => callback(null, { record: tokenInfo(created.record), token: created.token }),
        failed(callback),
      );
    },
    ListTokens(_call: ServerUnaryCall<ListTokensRequest__Output, ListTokensResponse>, callback: sendUnaryData<ListTokensResponse>) {
      callback(null, { tokens: store.listTokens().map(tokenInfo) });
    },
    DeleteToken(call: ServerUnaryCall<DeleteTokenRequest__Output, DeleteTokenResponse>, callback: sendUnaryData<DeleteTokenResponse>) {
      store.deleteToken(call.request.id).then((deleted) => callback(null, { deleted }), failed(callback));
    },
  };
}
