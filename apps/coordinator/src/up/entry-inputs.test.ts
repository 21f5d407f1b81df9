import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { SecretBroker } from '../broker/secret-broker';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { buildPlan, type PlanEntry } from '../plan';
import type { AgentRegistry } from '../server/agent-registry';
import { entryInputsProvider } from './entry-inputs';
import { TokenLedger } from './token-ledger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-entry-inputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plan = buildPlan(seedSpec());
const entryAt = (path: string): PlanEntry => {
  const found = plan.stages.flatMap((stage) => stage.entries).find((entry) => entry.path === path);
  if (!found) throw new Error(`no ${path} in the seed plan`);
  return found;
};
const create = entryAt('join-workers/kubeadm.token-create@worker1');
const workerJoin = entryAt('join-workers/kubeadm.join@worker1');
const remove = entryAt('join-workers/kubeadm.token-delete@worker1');
const signal = new AbortController().signal;

const planLanes = new Set(plan.stages.flatMap((stage) => stage.entries.flatMap((entry) => (entry.lane ? [entry.lane] : []))));

function provider(run = 'r1') {
  const secrets = new SecretRegistry();
  // The journal has its own (empty) registry: it cannot redact what the broker minted, so a leak shows.
  const journal = new Journal(dir, new SecretRegistry());
  const ledger = new TokenLedger(journal, run);
  const revoked: string[] = [];
  const warnings: string[] = [];
  const agents = { get: () => undefined } as unknown as AgentRegistry;
  const inputs = entryInputsProvider({
    broker: new SecretBroker({ secrets }),
    journal,
    agents,
    hosts: ['master1', 'worker1'],
    ledger,
    lanes: planLanes,
    revoke: async (host, tokenId) => {
      revoked.push(`${host}:${tokenId}`);
    },
    warn: (text) => warnings.push(text),
  });
  return { inputs, ledger, journal, revoked, warnings };
}

describe('entryInputsProvider: a join lane', () => {
  it('journals the token id before the create, hands the join the same token, and the delete its id', async () => {
    const { inputs, ledger, journal } = provider();
    const made = await inputs.prepare(create, signal);
    const token = made.secrets.bootstrapToken?.reveal() ?? '';
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const id = token.split('.')[0];
    // Open in the ledger on master1 (where token-create runs) before the step ran at all.
    expect(ledger.open()).toEqual([{ tokenId: id, host: 'master1', lane: 'join-workers@worker1' }]);
    const secretHalf = token.split('.')[1] ?? '';
    expect(secretHalf).toHaveLength(16);
    expect(JSON.stringify(journal.read())).not.toContain(secretHalf);
    await inputs.finish?.(create, { status: 'done', outputs: {} });
    expect((await inputs.prepare(workerJoin, signal)).secrets.bootstrapToken?.reveal()).toBe(token);
    const deleting = await inputs.prepare(remove, signal);
    expect(deleting).toMatchObject({ params: { tokenId: id } });
    expect(deleting.skip).toBeUndefined();
    await inputs.finish?.(remove, { status: 'done', outputs: {} });
    expect(ledger.open()).toEqual([]);
  });

  it("after a crash: the rerun's token-create revokes the crashed attempt's token first and makes a fresh one", async () => {
    const crashed = provider('r1');
    const first = (await crashed.inputs.prepare(create, signal)).secrets.bootstrapToken?.reveal() ?? '';
    const next = provider('r2');
    const second = (await next.inputs.prepare(create, signal)).secrets.bootstrapToken?.reveal() ?? '';
    expect(second).not.toBe(first);
    expect(next.revoked).toEqual([`master1:${first.split('.')[0]}`]);
    expect(next.ledger.open().map((token) => token.tokenId)).toEqual([second.split('.')[0]]);
  });

  it('after a crash between join and delete: the delete gets the journaled id, no secret needed', async () => {
    const crashed = provider('r1');
    const token = (await crashed.inputs.prepare(create, signal)).secrets.bootstrapToken?.reveal() ?? '';
    const next = provider('r2');
    expect(await next.inputs.prepare(remove, signal)).toMatchObject({ params: { tokenId: token.split('.')[0] } });
  });

  it('a delete with no open token of its lane ends NOOP with the reason, unsent', async () => {
    const { inputs } = provider();
    expect((await inputs.prepare(remove, signal)).skip).toBe('no token of join-workers@worker1 is left to delete (none was made, or it is deleted)');
  });

  it('refuses a join whose lane made no token in this run, naming the fix', async () => {
    const { inputs } = provider();
    await expect(inputs.prepare(workerJoin, signal)).rejects.toThrow(
      "join-workers/kubeadm.join@worker1 needs the bootstrapToken its lane makes earlier in this run, and it was not made: run the whole lane (e.g. --only 'join-workers/*@worker1')",
    );
  });

  it("gives a control plane's join the key its lane's upload ran with; the next upload keeps it while fresh", async () => {
    const { inputs } = provider();
    const upload2 = entryAt('join-control-planes/kubeadm.upload-certs@master2');
    const key = (await inputs.prepare(upload2, signal)).secrets.certificateKey?.reveal();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    await inputs.finish?.(upload2, { status: 'done', outputs: {} });
    await inputs.prepare(entryAt('join-control-planes/kubeadm.token-create@master2'), signal);
    expect((await inputs.prepare(entryAt('join-control-planes/kubeadm.join@master2'), signal)).secrets.certificateKey?.reveal()).toBe(key);
    // master3's upload runs with the same key: the step itself ends NOOP while the cluster holds it.
    expect((await inputs.prepare(entryAt('join-control-planes/kubeadm.upload-certs@master3'), signal)).secrets.certificateKey?.reveal()).toBe(key);
  });

  it('before the first token of a run, revokes open tokens of lanes outside the plan (and lane-less old records), journaled, once', async () => {
    const old = provider('r0');
    // An older kumi journaled no lane; a host since dropped from the spec left its lane's token; master2's lane is in the plan.
    old.journal.append({ run: 'r0', path: 'secret-broker/token', host: 'master1', status: 'started', outputs: { tokenId: 'old000' } });
    old.ledger.created('master1', 'gone00', 'join-workers@worker9');
    old.ledger.created('master1', 'cp2000', 'join-control-planes@master2');
    const next = provider('r1');
    const made = (await next.inputs.prepare(create, signal)).secrets.bootstrapToken?.reveal() ?? '';
    expect(next.revoked).toEqual(['master1:old000', 'master1:gone00']);
    expect(next.ledger.open().map((token) => token.tokenId)).toEqual(['cp2000', made.split('.')[0]]);
    // The pass runs once: a later token of the run finds nothing more to revoke outside its own lane.
    old.ledger.created('master1', 'late00', 'join-workers@worker9');
    await next.inputs.prepare(entryAt('join-control-planes/kubeadm.token-create@master2'), signal);
    expect(next.revoked).toEqual(['master1:old000', 'master1:gone00', 'master1:cp2000']);
    expect(next.warnings).toEqual([]);
  });
});
