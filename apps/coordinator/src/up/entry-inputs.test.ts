import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBroker } from '../broker/secret-broker';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import type { PlanEntry } from '../plan';
import type { AgentRegistry } from '../server/agent-registry';
import { entryInputsProvider } from './entry-inputs';
import { TokenLedger } from './token-ledger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-entry-inputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const workerJoin: PlanEntry = {
  stage: 'join-workers',
  host: 'worker1',
  step: 'kubeadm.join',
  path: 'join-workers/kubeadm.join@worker1',
  params: {},
  secrets: [
    {
      name: 'bootstrapToken',
      mint: { how: 'step', step: 'kubeadm.token-create', on: 'healthy-control-plane', params: { kubernetesVersion: '1.33.2', ttl: '15m' }, when: 'before the join' },
    },
  ],
  inputs: [],
  gates: [],
};

function provider(createFails: boolean) {
  const secrets = new SecretRegistry();
  const journal = new Journal(dir, secrets);
  const ledger = new TokenLedger(journal, 'r1');
  const created: string[] = [];
  const broker = new SecretBroker({
    secrets,
    call: async (host, step, _params, stepSecrets) => {
      if (step !== 'kubeadm.token-create') return {};
      // kubeadm made the token, then the answer was lost (timeout, disconnect, Ctrl-C).
      created.push(`${host}:${stepSecrets.bootstrapToken?.split('.')[0] ?? ''}`);
      if (createFails) throw new Error('agent disconnected');
      return {};
    },
  });
  const agents = { get: (host: string) => (host === 'master1' ? {} : undefined) } as unknown as AgentRegistry;
  const inputs = entryInputsProvider({ broker, journal, agents, controlPlanes: ['master1'], hosts: ['master1', 'worker1'], ledger, warn: () => undefined });
  return { inputs, ledger, created };
}

describe('entryInputsProvider join tokens', () => {
  it('journals a join token before creating it, so a create cut off after kubeadm made it is still revoked later', async () => {
    const { inputs, ledger, created } = provider(true);
    await expect(inputs.prepare(workerJoin, new AbortController().signal)).rejects.toThrow('agent disconnected');
    expect(created).toHaveLength(1);
    expect(ledger.open().map((token) => `${token.host}:${token.tokenId}`)).toEqual(created);
  });

  it('marks the join token revoked once the join ended', async () => {
    const { inputs, ledger, created } = provider(false);
    await inputs.prepare(workerJoin, new AbortController().signal);
    expect(ledger.open().map((token) => `${token.host}:${token.tokenId}`)).toEqual(created);
    await inputs.finish?.(workerJoin, { status: 'done', outputs: {} });
    expect(ledger.open()).toEqual([]);
  });
});
