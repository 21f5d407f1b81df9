import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { postinstCalls, withDependencies } from './package-install';

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

describe.skipIf(!existsSync('/var/lib/dpkg/info/containerd.list'))('postinst of a fresh install', () => {
  it("apt: Debian's containerd enables and starts containerd.service (debhelper postinst)", () => {
    expect(postinstCalls('containerd', 'apt')).toEqual([['enable', 'containerd.service'], ['start', 'containerd.service']]);
  });
  it('dnf: nothing started or enabled (presets)', () => {
    expect(postinstCalls('containerd', 'dnf')).toEqual([]);
  });
  it("pkgs.k8s.io's kubelet: %systemd_post, nothing started", () => {
    expect(postinstCalls('kubelet', 'apt')).toEqual([]);
  });
});
