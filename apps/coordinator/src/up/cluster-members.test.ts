import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../journal/journal';
import { membersOfRecords, removedHosts } from './cluster-members';

const at = (path: string, host: string, status: JournalRecord['status'], workflow = 'up'): JournalRecord => ({ time: '2026-12-06T09:00:00Z', run: 'r', workflow, path, host, status });

describe('the cluster members in the journal', () => {
  it('are the hosts whose init or join finished, in join order, with their role', () => {
    const records = [
      at('init/kubeadm.init', 'master1', 'done'),
      at('join-control-planes/kubeadm.join', 'master2', 'started'),
      at('join-workers/kubeadm.join', 'worker1', 'noop'),
      at('join-control-planes/kubeadm.join', 'master3', 'failed'),
      at('join-control-planes/kubeadm.join', 'master2', 'done'),
      at('prepare/swap.off', 'worker2', 'done'),
    ];
    expect(membersOfRecords(records)).toEqual({ controlPlanes: ['master1', 'master2'], workers: ['worker1'], removed: [] });
  });

  it("name as removed the hosts whose last record is a removal's reset", () => {
    const records = [at('join-workers/kubeadm.join', 'worker1', 'done'), at('*', 'worker1', 'reset', 'remove'), at('*', 'worker2', 'reset', 'reset'), at('*', 'worker3', 'reset', 'remove'), at('prepare/swap.off', 'worker3', 'done')];
    expect(removedHosts(records)).toEqual(['worker1']);
  });
});
