import { describe, expect, it } from 'vitest';
import { seedWithWorkers } from '../../test/seed-spec';
import { buildPlan } from './build';
import { parsePatterns, SelectionError } from './select';
import type { Plan } from './types';

const spec = seedWithWorkers(3);
const paths = (plan: Plan) => plan.stages.flatMap((stage) => stage.entries.map((entry) => entry.path));
/** A worker's join lane: its token made on master1, the join, the token deleted. */
const workerLane = (host: string) => ['token-create', 'join', 'token-delete'].map((step) => `join-workers/kubeadm.${step}@${host}`);
const attachHosts = (plan: Plan) => {
  const check = plan.stages.find((stage) => stage.id === 'attach')?.after[0]?.check;
  return check?.kind === 'agents-attached' ? check.hosts : undefined;
};

describe('--only / --skip', () => {
  it('keeps one stage (and attach for the hosts it uses, probe hosts included)', () => {
    const plan = buildPlan(spec, { only: ['join-workers'] });
    expect(plan.stages.map((s) => s.id)).toEqual(['attach', 'join-workers']);
    expect(paths(plan)).toEqual(['worker1', 'worker2', 'worker3'].flatMap(workerLane));
    expect(attachHosts(plan)).toEqual(['master1', 'worker1', 'worker2', 'worker3']);
  });

  it('selects one (stage, step, host) with a full path', () => {
    expect(paths(buildPlan(spec, { only: ['prepare/firewall@lb2'] }))).toEqual(['prepare/firewall@lb2']);
  });

  it('matches globs in every part, and comma-separated or repeated patterns', () => {
    expect(paths(buildPlan(spec, { only: ['*/kubeadm.join@master*'] }))).toEqual(
      ['master2', 'master3'].flatMap((host) => ['upload-certs', 'token-create', 'join', 'token-delete'].map((step) => `join-control-planes/kubeadm.${step}@${host}`)),
    );
    expect(paths(buildPlan(spec, { only: ['init,pod-network', 'verify'] }))).toEqual([
      'init/kubeadm.init@master1',
      'init/kubeadm.token-delete@master1',
      'init/kubeadm.admin-kubeconfig@master1',
      'pod-network/cni.flannel@master1',
      'verify/verify@master1',
    ]);
    expect(paths(buildPlan(spec, { only: ['prepare@worker?'] })).every((path) => /^prepare\/.*@worker\d$/.test(path))).toBe(true);
  });

  it('skips entries, dropping stages left empty', () => {
    const full = buildPlan(spec);
    const skipped = buildPlan(spec, { skip: ['prepare/firewall@lb*', 'drill', 'endpoint/*'] });
    expect(paths(full).filter((path) => !paths(skipped).includes(path))).toEqual([
      'prepare/firewall@lb1',
      'prepare/firewall@lb2',
      'endpoint/net.wait-tcp@master1',
      'endpoint/net.wait-tcp@master2',
      'endpoint/net.wait-tcp@master3',
      'endpoint/net.wait-tcp@worker1',
      'endpoint/net.wait-tcp@worker2',
      'endpoint/net.wait-tcp@worker3',
      'drill/drill@master1',
    ]);
    expect(skipped.stages.map((s) => s.id)).not.toContain('endpoint');
  });

  it('applies --skip after --only', () => {
    expect(paths(buildPlan(spec, { only: ['join-workers'], skip: ['*@worker2'] }))).toEqual([...workerLane('worker1'), ...workerLane('worker3')]);
  });

  it("pulls a join's lane along: selecting the join (e.g. a failed run's retry path) runs its token's create and delete too", () => {
    const plan = buildPlan(spec, { only: ['join-workers/kubeadm.join@worker2'] });
    expect(paths(plan)).toEqual(workerLane('worker2'));
    expect(plan.stages.flatMap((stage) => stage.entries).filter((entry) => entry.runOn).map((entry) => `${entry.step} on ${entry.runOn}`)).toEqual([
      'kubeadm.token-create on master1',
      'kubeadm.token-delete on master1',
    ]);
    // The token's delete alone (e.g. to revoke a leftover) also runs with its lane: a delete needs the lane's token.
    expect(paths(buildPlan(spec, { only: ['join-workers/kubeadm.token-delete@worker3'] }))).toEqual(workerLane('worker3'));
  });

  it('refuses a --skip that would split a lane, naming the whole lane as the fix', () => {
    expect(() => buildPlan(spec, { skip: ['join-workers/kubeadm.token-delete@worker1'] })).toThrow(
      "--skip join-workers/kubeadm.token-delete@worker1 would split the lane join-workers@worker1 (kubeadm.token-create → kubeadm.join → kubeadm.token-delete): its entries run together. Fix: skip the whole lane with --skip 'join-workers/*@worker1', or none of it",
    );
    expect(() => buildPlan(spec, { skip: ['*/kubeadm.join'] })).toThrow(SelectionError);
    // A lane skipped whole, or one --only left out anyway, is fine.
    expect(paths(buildPlan(spec, { only: ['join-workers'], skip: ['join-workers/*@worker1'] }))).toEqual([...workerLane('worker2'), ...workerLane('worker3')]);
    expect(paths(buildPlan(spec, { only: ['join-workers/*@worker3'], skip: ['join-workers/kubeadm.join@worker1'] }))).toEqual(workerLane('worker3'));
  });

  it('drops attach only when skipped by name', () => {
    expect(buildPlan(spec, { skip: ['attach'] }).stages[0]?.id).toBe('preflight');
    expect(buildPlan(spec, { only: ['attach'] }).stages.map((s) => s.id)).toEqual(['attach']);
  });

  it('rejects a path that matches nothing, listing the valid ones', () => {
    expect(() => buildPlan(spec, { only: ['join-worker/kubeadm.join'] })).toThrow(SelectionError);
    expect(() => buildPlan(spec, { skip: ['prepare/firewall@lb9'] })).toThrow(/"prepare\/firewall@lb9" matches nothing in this plan \(valid paths: attach, preflight\/preflight, .*join-workers\/kubeadm.join.*hosts \(after @\): lb1, lb2, master1/);
  });

  it('rejects malformed patterns', () => {
    expect(() => parsePatterns(['a/b/c'])).toThrow(/not a plan path/);
    expect(() => parsePatterns(['a@b@c'])).toThrow(/not a plan path/);
    expect(() => parsePatterns(['/x'])).toThrow(/not a plan path/);
  });
});
