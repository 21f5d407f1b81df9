import type { SecretBroker } from '../broker/secret-broker';
import type { Journal } from '../journal/journal';

/** The journal path of the broker's token records. */
export const TOKEN_PATH = 'secret-broker/token';

/** A token the journal says was created and never revoked. */
export interface OpenToken {
  tokenId: string;
  host: string;
}

/**
 * Journals the public ids of the bootstrap tokens the broker creates and revokes (never
 * the secret half), so a run after a crash between create and delete revokes the
 * leftovers instead of leaving them valid until their TTL.
 */
export class TokenLedger {
  constructor(
    private readonly journal: Journal,
    private readonly run: string,
  ) {}

  created(host: string, tokenId: string, forPath: string): void {
    this.journal.append({ run: this.run, path: TOKEN_PATH, host, status: 'started', outputs: { tokenId }, note: `token ${tokenId} created for ${forPath}` });
  }

  revoked(host: string, tokenId: string): void {
    this.journal.append({ run: this.run, path: TOKEN_PATH, host, status: 'done', outputs: { tokenId }, note: `token ${tokenId} revoked` });
  }

  /** Tokens created (in any run) and not revoked since. */
  open(): OpenToken[] {
    const open = new Map<string, string>();
    for (const record of this.journal.current()) {
      const tokenId = record.outputs?.tokenId;
      if (record.path !== TOKEN_PATH || typeof tokenId !== 'string') continue;
      if (record.status === 'started') open.set(tokenId, record.host);
      else open.delete(tokenId);
    }
    return [...open].map(([tokenId, host]) => ({ tokenId, host }));
  }

  /**
   * Revokes every open token left by an earlier run on the host it was made on, when that
   * host is attached. Failures are returned, not thrown: a leftover expires by its TTL.
   */
  async revokeLeftovers(broker: SecretBroker, attached: (host: string) => boolean): Promise<string[]> {
    const problems: string[] = [];
    for (const token of this.open()) {
      if (!attached(token.host)) {
        problems.push(`token ${token.tokenId} on ${token.host}: host not attached`);
        continue;
      }
      try {
        await broker.closeJoin({ secrets: { bootstrapToken: '' }, tokenId: token.tokenId, createdOn: token.host });
        this.revoked(token.host, token.tokenId);
      } catch (error) {
        problems.push(`token ${token.tokenId} on ${token.host}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
}
