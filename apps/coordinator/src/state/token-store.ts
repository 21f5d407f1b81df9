import type { CreatedToken, CreateTokenOptions } from './state-store';
import type { TokenRecord } from './state-records';

export type { CreatedToken, CreateTokenOptions } from './state-store';
export { type TokenRecord, tokenRecordSchema } from './state-records';

/** Where token changes go: the state store of this process, or the `kumi serve` that owns the folder. */
export interface TokenBackend {
  listTokens(): TokenRecord[] | Promise<TokenRecord[]>;
  createToken(options: CreateTokenOptions): Promise<CreatedToken>;
  deleteToken(id: string): Promise<boolean>;
}

/**
 * The cluster's single-use bootstrap tokens (only hashes of their secrets are stored).
 * Each call goes to the process that owns the state folder: this one, or a running
 * `kumi serve` through its control socket.
 */
export class TokenStore {
  constructor(private readonly backend: () => Promise<TokenBackend>) {}

  /** Mints a token valid for ttlMs, optionally bound to one host name. */
  async create(options: CreateTokenOptions): Promise<CreatedToken> {
    return (await this.backend()).createToken(options);
  }

  /** Every stored token, oldest first. */
  async list(): Promise<TokenRecord[]> {
    return (await this.backend()).listTokens();
  }

  /** Removes a token; false when no token has that id. */
  async delete(id: string): Promise<boolean> {
    return (await this.backend()).deleteToken(id);
  }
}
