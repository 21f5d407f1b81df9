import { describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { buildPlan } from './build';
import { formatPlan } from './print';

describe('formatPlan', () => {
  const text = formatPlan(buildPlan(seedSpec()));

  it('prints a header per stage with its concurrency, and one line per host and step', () => {
    expect(text).toMatch(/^Plan of kumi up for cluster seed-ha: 10 stages, 50 host steps\n/);
    expect(text).toContain('[7/10] join-control-planes: Join the other control planes, one at a time (one host at a time)');
    expect(text).toContain('[8/10] join-workers: Join the workers (in parallel, at most 5 host(s) at a time)');
    expect(text).toMatch(/\n {2}master3 {2}kubeadm\.join +join-control-planes\/kubeadm\.join@master3\n/);
    expect(text.match(/^ {2}\S+ +\S+ +\S+\/\S+@\S+$/gm)).toHaveLength(50);
  });

  it('prints readiness conditions, gates and brokered secrets by name only', () => {
    expect(text).toContain('after agents-attached: agents of 6 host(s) attached: lb1, lb2, master1, master2, master3, worker1');
    expect(text).toContain('gate etcd-peer-reachable: master2 reaches etcd peer port of master1 at 192.0.2.21:2380 [net.wait-tcp on master2]');
    expect(text).toMatch(/secrets: bootstrapToken \(minted by kumi, kubeadm\.token-create on a healthy control plane .*kubeadm\.token-delete after\)/);
  });

  it('prints parameters only when asked', () => {
    expect(text).not.toContain('params:');
    expect(formatPlan(buildPlan(seedSpec()), { params: true })).toContain('params: {"vip":"192.0.2.100","state":"MASTER","priority":101');
  });
});
