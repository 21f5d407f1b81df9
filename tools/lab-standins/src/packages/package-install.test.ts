import { describe, expect, it } from 'vitest';
import { withDependencies } from './package-install';

describe('withDependencies', () => {
  it('puts catalog dependencies first, once each', () => {
    expect(withDependencies(['kubeadm', 'kubelet', 'curl'])).toEqual(['cri-tools', 'kubernetes-cni', 'kubeadm', 'kubelet', 'curl']);
  });

  it('ends on a dependency cycle instead of overflowing the stack', () => {
    const catalog = { a: { depends: ['b'] }, b: { depends: ['c'] }, c: { depends: ['a'] } };
    expect(withDependencies(['a'], catalog)).toEqual(['c', 'b', 'a']);
    expect(withDependencies(['b', 'a'], catalog)).toEqual(['a', 'c', 'b']);
  });
});
