import { existsSync } from 'node:fs';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { type ControlClient, kumiV1 } from '@kumi/proto';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import type { StateHeldError } from './state-lock';
import type { StatePaths } from './state-paths';
import { tokenRecordFromInfo } from './token-info';
import type { TokenBackend } from './token-store';

const CALL_DEADLINE_MS = 10_000;

type Callback<T> = (error: ServiceError | null, value?: T) => void;

/**
 * Token calls for a folder another process owns: they go to that process' Control
 * socket (`kumi serve` and `kumi up` serve one). When the owner serves none (e.g. another
 * `kumi token create` is running), the lock error stands, naming the owner and the fix.
 */
export async function servingTokenBackend(paths: StatePaths, held: StateHeldError): Promise<TokenBackend> {
  if (!existsSync(paths.controlSocket)) throw held;
  // One channel per call: a CLI makes one or two, and an open channel would keep it alive.
  const call = <T>(send: (client: ControlClient, options: { deadline: number }, callback: Callback<T>) => void) =>
    new Promise<T>((resolve, reject) => {
      const client = new (kumiV1().Control)(`unix:${paths.controlSocket}`, credentials.createInsecure());
      send(client, { deadline: Date.now() + CALL_DEADLINE_MS }, (error, value) => {
        client.close();
        if (error) reject(ownerError(error, held));
        else if (value === undefined) reject(held);
        else resolve(value);
      });
    });
  return {
    async createToken(options) {
      const response = await call<{ record: Parameters<typeof tokenRecordFromInfo>[0] | null; token: string }>((client, deadline, callback) =>
        client.createToken({ host: options.host ?? '', ttlMs: options.ttlMs }, deadline, callback),
      );
      if (!response.record) throw held;
      return { record: tokenRecordFromInfo(response.record), token: response.token };
    },
    async listTokens() {
      const response = await call<{ tokens: Parameters<typeof tokenRecordFromInfo>[0][] }>((client, deadline, callback) => client.listTokens({}, deadline, callback));
      return response.tokens.map(tokenRecordFromInfo);
    },
    async deleteToken(id) {
      return (await call<{ deleted: boolean }>((client, deadline, callback) => client.deleteToken({ id }, deadline, callback))).deleted;
    },
  };
}

function ownerError(error: ServiceError, held: StateHeldError): Error {
  // No answer on the socket: the owner is not serving; its lock error says who it is.
  if (error.code === status.UNAVAILABLE) return held;
  return new CliError(`the kumi process that owns the cluster state (pid ${held.owner.pid}, "${held.owner.command}") refused: ${error.details}`, ExitCode.FAILURE);
}
