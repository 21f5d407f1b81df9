import { describe, expect, it } from 'vitest';
import { seedWithWorkers } from '../../test/seed-spec';
import { buildPlan } from './build';
import { parsePatterns, SelectionError } from './select';
import type { Plan } from './types';

const spec = seedWithWorkers(3);
const paths = (plan: Plan) => plan.stages.flatMap((stage) => stage.entries.map((entry) => entry.path));
const attachHosts = (plan: Plan) => {
  const check = plan.stages.find((stage) => stage.id === 'attach')?.after[0]?.check;
  return check?.kind === 'agents-attached' ? check.hosts : undefined;
};

describe('--only / --skip', () => {
  it('keeps one stage (and attach for the hosts it uses, probe hosts included)', () => {
    const plan = buildPlan(spec, { only: ['join-workers'] });
    expect(plan.stages.map((s) => s.id)).toEqual(['attach', 'join-workers']);
    expect(paths(plan)).toEqual(['join-workers/kubeadm.join@worker1', 'join-workers/kubeadm.join@worker2', 'join-workers/kubeadm.join@worker3']);
    expect(attachHosts(plan)).toEqual(['master1', 'worker1', 'worker2', 'worker3']);
  });

  it('selects one (stage, step, host) with a full path', () => {
    expect(paths(buildPlan(spec, { only: ['prepare/firewall@lb2'] }))).toEqual(['prepare/firewall@lb2']);
  });

  it('matches globs in every part, and comma-separated or repeated patterns', () => {
    expect(paths(buildPlan(spec, { only: ['*/kubeadm.join@master*'] }))).toEqual([
      'join-control-planes/kubeadm.join@master2',
      'join-control-planes/kubeadm.join@master3',
    ]);
    expect(paths(buildPlan(spec, { only: ['init,pod-network', 'verify'] }))).toEqual([
      'init/kubeadm.init@master1',
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
    expect(paths(buildPlan(spec, { only: ['join-workers'], skip: ['*@worker2'] }))).toEqual([
      'join-workers/kubeadm.join@worker1',
      'join-workers/kubeadm.join@worker3',
    ]);
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
