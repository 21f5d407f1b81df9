import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal';
import { reportModel } from '../../src/report/write-report';
import { LAB_DEMO_JOURNAL, LAB_DEMO_UP_RUN } from './lab-demo-journal';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-lab-journal-'));
  copyFileSync(LAB_DEMO_JOURNAL, join(dir, JOURNAL_FILE));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the picture of the lab demo\'s real build', () => {
  it('has every host and stage, and a critical path through init, the one-at-a-time control-plane joins and verify', () => {
    const model = reportModel({ dir, run: LAB_DEMO_UP_RUN, open: false });
    expect(model.outcome).toBe('done');
    expect(model.hosts).toEqual(['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1']);
    expect(model.stages.map((stage) => stage.id)).toEqual(['preflight', 'prepare', 'endpoint', 'init', 'pod-network', 'join-control-planes', 'join-workers', 'verify']);
    expect(model.bars).toHaveLength(49);
    const chain = model.critical.map((id) => model.bars[id]!.path);
    expect(chain).toEqual(expect.arrayContaining(['init/kubeadm.init@master1', 'join-control-planes/kubeadm.join@master2', 'join-control-planes/kubeadm.join@master3', 'join-workers/kubeadm.join@worker1']));
    expect(chain.at(-1)).toMatch(/^verify\/.*@master1$/);
    // Each link starts no earlier than the one before it ended.
    for (let index = 1; index < model.critical.length; index++) {
      expect(model.bars[model.critical[index]!]!.startMs).toBeGreaterThanOrEqual(model.bars[model.critical[index - 1]!]!.endMs);
    }
    // The latest run in that journal is the drill, which only checks: a run of its own.
    expect(reportModel({ dir, open: false }).earlierRuns).toEqual([LAB_DEMO_UP_RUN, 'a4807437-987c-4baf-9ee8-4730da1fffa7']);
  });
});
