import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { buildPlan, type PlanEntry } from '../plan';
import type { AgentLink } from './agent-steps';
import { resumeCheck } from './resume-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-resume-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entries = buildPlan(seedSpec()).stages.flatMap((stage) => stage.entries);
const entryAt = (path: string): PlanEntry => entries.find((entry) => entry.path === path) as PlanEntry;

/** Lane entries never ask a host: an agent link that fails the test if used. */
const noAgents = new Proxy({}, { get: () => { throw new Error('the resume check of a lane entry asked an agent'); } }) as AgentLink;

/** The journal before the crash (`step` done for worker1 / master2) → the lane's entries the rerun skips. */
const table: Array<{ journaled: string[]; skipped: string[] }> = [
  // Crash after the token was made, before the join ended: the lane reruns from token-create with a fresh token.
  { journaled: ['join-workers/kubeadm.token-create@worker1'], skipped: [] },
  // Crash after the join, before the delete: only the delete runs (with the journaled id, from the ledger).
  { journaled: ['join-workers/kubeadm.token-create@worker1', 'join-workers/kubeadm.join@worker1'], skipped: ['join-workers/kubeadm.token-create@worker1', 'join-workers/kubeadm.join@worker1'] },
  // A finished lane: the delete still runs and ends NOOP when the ledger holds nothing open.
  { journaled: ['join-workers/kubeadm.token-create@worker1', 'join-workers/kubeadm.join@worker1', 'join-workers/kubeadm.token-delete@worker1'], skipped: ['join-workers/kubeadm.token-create@worker1', 'join-workers/kubeadm.join@worker1'] },
  // A control plane's lane: the upload is redone with the token, unless the join is done.
  { journaled: ['join-control-planes/kubeadm.upload-certs@master2', 'join-control-planes/kubeadm.token-create@master2'], skipped: [] },
  {
    journaled: ['join-control-planes/kubeadm.upload-certs@master2', 'join-control-planes/kubeadm.token-create@master2', 'join-control-planes/kubeadm.join@master2'],
    skipped: ['join-control-planes/kubeadm.upload-certs@master2', 'join-control-planes/kubeadm.token-create@master2', 'join-control-planes/kubeadm.join@master2'],
  },
];

describe('resumeCheck of join lanes', () => {
  it.each(table)('journal $journaled → skips $skipped', async ({ journaled, skipped }) => {
    const journal = new Journal(dir, new SecretRegistry());
    for (const path of journaled) {
      const entry = entryAt(path);
      journal.append({ run: 'r1', path: `${entry.stage}/${entry.step}`, host: entry.host, status: 'done', outputs: {} });
    }
    const notes = new Map<string, string>();
    const isDone = resumeCheck({ journal, agents: noAgents, run: 'r2', signal: new AbortController().signal, notes, onDrift: () => undefined });
    const host = entryAt(journaled[0] as string).host;
    const lane = entries.filter((entry) => entry.host === host && entry.lane !== undefined);
    const result: string[] = [];
    for (const entry of lane) if (await isDone(entry)) result.push(entry.path);
    expect(result).toEqual(skipped);
    for (const path of skipped) expect(notes.get(path)).toMatch(/^journal: /);
  });
});
