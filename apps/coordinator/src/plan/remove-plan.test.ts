import { describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { buildPlan } from './build';
import { buildRemovePlan, membersNotInSpec, RemovalRefused, withRemoval } from './remove-plan';

/** The seed after "replace master3 by master4, drop worker1": master3 and worker1 are members the spec no longer lists. */
const replaced = seedSpec((text) => text.replace('name: master3, address: 192.0.2.23', 'name: master4, address: 192.0.2.24').replace(/ {4}- \{ name: worker1.*\n/, ''));
const members = { controlPlanes: ['master1', 'master2', 'master3', 'master4'], workers: ['worker1'], removed: [] };
const lines = (plan: ReturnType<typeof buildRemovePlan>) => plan.stages.flatMap((stage) => [`[${stage.id}] ${stage.concurrency.kind}`, ...stage.entries.map((entry) => `  ${entry.path}`)]);

describe('the removal plan', () => {
  it('drains, takes a control plane out of HAProxy and etcd, resets it and deletes its Node, workers first, one host after another', () => {
    expect(lines(buildRemovePlan(replaced, members, ['master3', 'worker1']))).toEqual([
      '[attach] all',
      '[drain-worker1] one-at-a-time',
      '  drain-worker1/kube.drain@master1',
      '[reset-worker1] one-at-a-time',
      '  reset-worker1/kubeadm.reset@worker1',
      '[delete-node-worker1] one-at-a-time',
      '  delete-node-worker1/kube.node-delete@master1',
      '[drain-master3] one-at-a-time',
      '  drain-master3/kube.drain@master1',
      '[load-balancers-master3] all',
      '  load-balancers-master3/lb.haproxy@lb1',
      '  load-balancers-master3/lb.haproxy@lb2',
      '[etcd-member-master3] one-at-a-time',
      '  etcd-member-master3/etcd.member-remove@master1',
      '[reset-master3] one-at-a-time',
      '  reset-master3/kubeadm.reset@master3',
      '[delete-node-master3] one-at-a-time',
      '  delete-node-master3/kube.node-delete@master1',
    ]);
  });

  it('--unreachable: nothing runs on the gone hosts and they are not drained; the other members drop the etcd member, the HAProxy backend and the Node', () => {
    const plan = buildRemovePlan(replaced, members, ['master3', 'worker1'], { unreachable: true });
    expect(lines(plan)).toEqual([
      '[attach] all',
      '[delete-node-worker1] one-at-a-time',
      '  delete-node-worker1/kube.node-delete@master1',
      '[load-balancers-master3] all',
      '  load-balancers-master3/lb.haproxy@lb1',
      '  load-balancers-master3/lb.haproxy@lb2',
      '[etcd-member-master3] one-at-a-time',
      '  etcd-member-master3/etcd.member-remove@master1',
      '[delete-node-master3] one-at-a-time',
      '  delete-node-master3/kube.node-delete@master1',
    ]);
    // The attach stage waits for the hosts that do the work, never for the gone ones.
    const attach = plan.stages[0]?.after[0]?.check;
    expect(attach?.kind === 'agents-attached' ? [...attach.hosts].sort() : []).toEqual(['lb1', 'lb2', 'master1']);
    // Each host's first stage waits for the API, as the drain does otherwise.
    const byId = new Map(plan.stages.map((stage) => [stage.id, stage]));
    expect(byId.get('delete-node-worker1')?.before.map((gate) => gate.id)).toEqual(['api-healthy']);
    expect(byId.get('load-balancers-master3')?.before.map((gate) => gate.id)).toEqual(['api-healthy']);
    expect(byId.get('etcd-member-master3')?.before).toEqual([]);
  });

  it('--unreachable keeps the refusals: the last control plane is still refused', () => {
    expect(() => buildRemovePlan(replaced, { controlPlanes: ['master1'], workers: [], removed: [] }, ['master1'], { unreachable: true })).toThrow(/would remove the last control plane/);
  });

  it("renders HAProxy's backends as kumi up does for the same spec, so the next up finds nothing to change", () => {
    const removal = buildRemovePlan(replaced, members, ['master3']);
    const up = buildPlan(replaced).stages.flatMap((stage) => stage.entries).find((entry) => entry.step === 'lb.haproxy' && entry.host === 'lb1');
    const lb = removal.stages.flatMap((stage) => stage.entries).find((entry) => entry.step === 'lb.haproxy' && entry.host === 'lb1');
    expect(lb?.params).toEqual(up?.params);
    expect((lb?.params['backends'] as { name: string }[]).map((backend) => backend.name)).toEqual(['master1', 'master2', 'master4']);
  });

  it('drains bounded and with --force (the node goes away), and removes the etcd member by node name', () => {
    const entries = buildRemovePlan(replaced, members, ['master3']).stages.flatMap((stage) => stage.entries);
    expect(entries.find((entry) => entry.step === 'kube.drain')?.params).toMatchObject({ node: 'master3', timeout: '5m', force: true, ignoreDaemonSets: true, deleteEmptyDirData: true });
    expect(entries.find((entry) => entry.step === 'etcd.member-remove')?.params).toMatchObject({ member: 'master3' });
  });

  it.each([
    ['a host that never joined', { ...members, workers: [] }, ['worker1'], /worker1 is not in cluster seed-ha: kumi's journal has no join of it .*Fix: check the name/],
    ['a host the spec still lists', members, ['master2'], /master2 is still in the spec, so the next `kumi up` would join it again\. Fix: delete master2 from spec\.hosts first/],
    ['the last control plane', { controlPlanes: ['master1'], workers: [], removed: [] }, ['master1'], /removing master1 would remove the last control plane of seed-ha \(and etcd with it\)\. Fix: add another control plane to the spec and run `kumi up` first/],
    ['nothing', members, [], /name the hosts to remove/],
  ])('refuses %s with the reason and the fix', (_what, joined, hosts, message) => {
    expect(() => buildRemovePlan(replaced, joined, hosts)).toThrow(RemovalRefused);
    expect(() => buildRemovePlan(replaced, joined, hosts)).toThrow(message);
  });

  it('is empty for hosts an earlier run already removed, so a rerun after a crash converges', () => {
    const after = { controlPlanes: ['master1', 'master2', 'master4'], workers: [], removed: ['master3', 'worker1'] };
    expect(buildRemovePlan(replaced, after, ['master3', 'worker1']).stages).toEqual([]);
    expect(lines(buildRemovePlan(replaced, { ...after, workers: ['worker1'], removed: ['master3'] }, ['master3', 'worker1'])).filter((line) => line.startsWith('['))).toEqual([
      '[attach] all',
      '[drain-worker1] one-at-a-time',
      '[reset-worker1] one-at-a-time',
      '[delete-node-worker1] one-at-a-time',
    ]);
  });

  it('kumi up --prune: the build, then the removal of the members the spec dropped, one attach for both', () => {
    const dropped = membersNotInSpec(replaced, members);
    expect(dropped).toEqual(['worker1', 'master3']);
    const plan = withRemoval(buildPlan(replaced), buildRemovePlan(replaced, members, dropped));
    expect(plan.stages.map((stage) => stage.id).slice(-4)).toEqual(['load-balancers-master3', 'etcd-member-master3', 'reset-master3', 'delete-node-master3']);
    const attach = plan.stages[0]?.after[0]?.check;
    expect(attach?.kind === 'agents-attached' ? attach.hosts : []).toEqual(expect.arrayContaining(['master3', 'worker1', 'master4']));
  });
});
