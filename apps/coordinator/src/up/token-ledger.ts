import type { Journal } from '../journal/journal';

/** The journal path of the broker's token records. */
export const TOKEN_PATH = 'secret-broker/token';

/** A token the journal says was created and never revoked. */
export interface OpenToken {
  tokenId: string;
  /** The control plane that holds it. */
  host: string;
  /** The plan lane it was minted for (PlanEntry.lane), e.g. `join-workers@worker1`. */
  lane: string;
}

/** Deletes a bootstrap token by its public id on a control plane (kubeadm.token-delete). */
export type RevokeToken = (host: string, tokenId: string) => Promise<void>;

/**
 * Journals the public ids of the bootstrap tokens the coordinator mints (never the secret
 * half) before they are created, and when they are deleted: a lane's token-delete finds
 * its id here (also after a crash), and a lane that runs again after a crash revokes what
 * its earlier attempt left instead of leaving it valid until its TTL.
 */
export class TokenLedger {
  constructor(
    private readonly journal: Journal,
    private readonly run: string,
  ) {}

  created(host: string, tokenId: string, lane: string): void {
    this.journal.append({ run: this.run, path: TOKEN_PATH, host, status: 'started', outputs: { tokenId, lane }, note: `token ${tokenId} minted for ${lane}` });
  }

  revoked(host: string, tokenId: string): void {
    this.journal.append({ run: this.run, path: TOKEN_PATH, host, status: 'done', outputs: { tokenId }, note: `token ${tokenId} revoked` });
  }

  /** Tokens created (in any run) and not revoked since, oldest first. */
  open(): OpenToken[] {
    const open = new Map<string, OpenToken>();
    for (const record of this.journal.current()) {
      const { tokenId, lane } = record.outputs ?? {};
      if (record.path !== TOKEN_PATH || typeof tokenId !== 'string') continue;
      if (record.status === 'started') open.set(tokenId, { tokenId, host: record.host, lane: typeof lane === 'string' ? lane : '' });
      else open.delete(tokenId);
    }
    return [...open.values()];
  }

  /** The lane's open tokens, oldest first. */
  openIn(lane: string): OpenToken[] {
    return this.open().filter((token) => token.lane === lane);
  }

  /**
   * Revokes the lane's open tokens (an earlier attempt's, cut off by a crash) before the
   * lane makes a new one. Failures are returned, not thrown: a leftover expires by its TTL.
   */
  async revokeOpen(lane: string, revoke: RevokeToken): Promise<string[]> {
    return this.revokeOpenWhere((open) => open === lane, revoke);
  }

  /** Revokes the open tokens whose lane matches (each revocation journaled); failures are returned. */
  async revokeOpenWhere(matches: (lane: string) => boolean, revoke: RevokeToken): Promise<string[]> {
    const problems: string[] = [];
    for (const token of this.open().filter((open) => matches(open.lane))) {
      try {
        await revoke(token.host, token.tokenId);
        this.revoked(token.host, token.tokenId);
      } catch (error) {
        problems.push(`token ${token.tokenId} on ${token.host}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
}
