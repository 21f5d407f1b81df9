import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { TokenLedger } from './token-ledger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TokenLedger', () => {
  it("revokes a lane's tokens a crashed run created and never deleted, on the host that holds them, leaving other lanes alone", async () => {
    const journal = new Journal(dir, new SecretRegistry());
    const crashed = new TokenLedger(journal, 'r1');
    crashed.created('master1', 'aaaaaa', 'join-control-planes@master2');
    crashed.revoked('master1', 'aaaaaa');
    crashed.created('master1', 'bbbbbb', 'join-workers@worker1');
    crashed.created('master2', 'cccccc', 'join-workers@worker1');
    crashed.created('master1', 'dddddd', 'join-workers@worker2');

    const calls: string[] = [];
    const next = new TokenLedger(journal, 'r2');
    const problems = await next.revokeOpen('join-workers@worker1', async (host, tokenId) => {
      if (host === 'master2') throw new Error('host not attached');
      calls.push(`${host}:${tokenId}`);
    });
    expect(calls).toEqual(['master1:bbbbbb']);
    expect(problems).toEqual(['token cccccc on master2: host not attached']);
    expect(next.open()).toEqual([
      { tokenId: 'cccccc', host: 'master2', lane: 'join-workers@worker1' },
      { tokenId: 'dddddd', host: 'master1', lane: 'join-workers@worker2' },
    ]);
    expect(next.openIn('join-workers@worker2').map((token) => token.tokenId)).toEqual(['dddddd']);
  });
});
