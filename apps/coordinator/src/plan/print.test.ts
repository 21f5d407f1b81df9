import { describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { buildPlan } from './build';
import { formatPlan } from './print';

describe('formatPlan', () => {
  const text = formatPlan(buildPlan(seedSpec()));

  it('prints a header per stage with its concurrency, and one line per host and step', () => {
    expect(text).toMatch(/^Plan of kumi up for cluster seed-ha: 10 stages, 59 host steps\n/);
    expect(text).toContain('[7/10] join-control-planes: Join the other control planes, one at a time (one host at a time)');
    expect(text).toContain('[8/10] join-workers: Join the workers (in parallel, at most 5 host(s) at a time)');
    expect(text).toMatch(/\n {2}master3 {2}kubeadm\.join +join-control-planes\/kubeadm\.join@master3\n/);
    expect(text.match(/^ {2}\S+ +\S+ +\S+\/\S+@\S+( {2}on \S+)?$/gm)).toHaveLength(59);
  });

  it("prints each join's token and certificate entries in its lane, with the control plane they run on and the cleanup", () => {
    const lane = text.split('\n').filter((line) => /^ {2}master3 /.test(line) && line.includes('join-control-planes/'));
    expect(lane.map((line) => line.trim().split(/\s+/).slice(1).join(' '))).toEqual([
      'kubeadm.upload-certs join-control-planes/kubeadm.upload-certs@master3 on master1',
      'kubeadm.token-create join-control-planes/kubeadm.token-create@master3 on master1',
      'kubeadm.join join-control-planes/kubeadm.join@master3',
      'kubeadm.token-delete join-control-planes/kubeadm.token-delete@master3 on master1',
      'kubeadm.admin-kubeconfig join-control-planes/kubeadm.admin-kubeconfig@master3',
    ]);
    expect(text).toMatch(/kubeadm\.token-delete@worker1 {2}on master1\n +cleanup: runs also when an earlier step of worker1 failed\n +runtime inputs: tokenId from lane-token-id\n/);
    expect(text).toContain('init/kubeadm.token-delete@master1\n');
  });

  it('prints readiness conditions, gates and brokered secrets by name only', () => {
    expect(text).toContain('after agents-attached: agents of 6 host(s) attached: lb1, lb2, master1, master2, master3, worker1');
    expect(text).toContain('gate etcd-peer-reachable: master2 reaches etcd peer port of master1 at 192.0.2.21:2380 [net.wait-tcp on master2]');
    expect(text).toMatch(/kubeadm\.token-create@worker1 {2}on master1\n +gate endpoint-reachable: .*\n +secrets: bootstrapToken \(minted by kumi, memory only: a fresh token per join run, its id journaled before the create\)\n/);
    expect(text).toContain('secrets: bootstrapToken (from join-workers/kubeadm.token-create@worker1: the token of this lane)');
  });

  it('prints parameters only when asked', () => {
    expect(text).not.toContain('params:');
    expect(formatPlan(buildPlan(seedSpec()), { params: true })).toContain('params: {"vip":"192.0.2.100","state":"MASTER","priority":101');
  });
});
