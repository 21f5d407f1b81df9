import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBroker } from '../broker/secret-broker';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { TokenLedger } from './token-ledger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TokenLedger', () => {
  it('revokes tokens a crashed run created and never deleted, on the host that holds them', async () => {
    const journal = new Journal(dir, new SecretRegistry());
    const crashed = new TokenLedger(journal, 'r1');
    crashed.created('master1', 'aaaaaa', 'join-control-planes/kubeadm.join@master2');
    crashed.revoked('master1', 'aaaaaa');
    crashed.created('master1', 'bbbbbb', 'join-control-planes/kubeadm.join@master3');
    crashed.created('master2', 'cccccc', 'join-workers/kubeadm.join@worker1');

    const calls: string[] = [];
    const broker = new SecretBroker({
      secrets: new SecretRegistry(),
      call: async (host, step, params) => {
        calls.push(`${host}:${step}:${String(params.tokenId)}`);
        return {};
      },
    });
    const next = new TokenLedger(journal, 'r2');
    const problems = await next.revokeLeftovers(broker, (host) => host === 'master1');
    expect(calls).toEqual(['master1:kubeadm.token-delete:bbbbbb']);
    expect(problems).toEqual(['token cccccc on master2: host not attached']);
    expect(next.open()).toEqual([{ tokenId: 'cccccc', host: 'master2' }]);
  });
});
