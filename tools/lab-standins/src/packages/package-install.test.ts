import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { postinstCalls, type VersionSources, withDependencies } from './package-install';

/** Every catalog package offered at `minor`.PATCH (kubernetes-cni 1.7.1, as the lab's repositories), `installed` as given. */
const repoOf = (minor: string, installed: Record<string, string> = {}): VersionSources => ({
  offered: (name) => (name === 'kubernetes-cni' ? '1.7.1-1.1' : name === 'curl' ? '7.88.1-10' : `${minor}.2-1.1`),
  installed: (name) => installed[name],
});

// Ranges of kubernetes/release cmd/krel/templates/latest/metadata.yaml (f618b2a3).
describe('withDependencies: pkgs.k8s.io dependencies by version', () => {
  it('kubeadm 1.28–1.29 brings kubelet, kubectl, kubernetes-cni and cri-tools', () => {
    expect(withDependencies(['kubeadm'], repoOf('1.29'))).toEqual(['kubernetes-cni', 'kubelet', 'kubectl', 'cri-tools', 'kubeadm']);
  });

  it('kubeadm 1.30–1.31 brings only cri-tools', () => {
    expect(withDependencies(['kubeadm'], repoOf('1.30'))).toEqual(['cri-tools', 'kubeadm']);
    expect(withDependencies(['kubeadm'], repoOf('1.31'))).toEqual(['cri-tools', 'kubeadm']);
  });

  it('kubeadm 1.32 and later brings nothing (no crictl)', () => {
    expect(withDependencies(['kubeadm'], repoOf('1.32'))).toEqual(['kubeadm']);
    expect(withDependencies(['kubeadm', 'kubectl', 'curl'], repoOf('1.33'))).toEqual(['kubeadm', 'kubectl', 'curl']);
  });

  it('kubelet 1.28 and later brings kubernetes-cni; before 1.28 too (>= 0.8.7/1.1.1)', () => {
    expect(withDependencies(['kubelet'], repoOf('1.33'))).toEqual(['kubernetes-cni', 'kubelet']);
    expect(withDependencies(['kubelet'], repoOf('1.27'))).toEqual(['kubernetes-cni', 'kubelet']);
  });

  it('kubeadm before 1.28 brings kubelet, kubectl, kubernetes-cni and cri-tools', () => {
    expect(withDependencies(['kubeadm'], repoOf('1.27'))).toEqual(['kubernetes-cni', 'kubelet', 'kubectl', 'cri-tools', 'kubeadm']);
  });

  it('a dependency installed at a satisfying version stays; a too old one is pulled in', () => {
    expect(withDependencies(['kubeadm'], repoOf('1.29', { kubelet: '1.28.2-1.1', kubectl: '1.28.2-1.1', 'kubernetes-cni': '1.7.1-1.1', 'cri-tools': '1.28.0-1.1' }))).toEqual(['kubeadm']);
    expect(withDependencies(['kubeadm'], repoOf('1.29', { kubelet: '1.28.2-1.1', kubectl: '1.28.2-1.1', 'kubernetes-cni': '1.7.1-1.1', 'cri-tools': '1.27.0-1.1' }))).toEqual(['cri-tools', 'kubeadm']);
  });

  it('ends on a dependency cycle instead of overflowing the stack', () => {
    const on = (name: string) => [{ from: '0.0.0', depends: [{ name, atLeast: '0.0.0' }] }];
    const catalog = { a: { depends: on('b') }, b: { depends: on('c') }, c: { depends: on('a') } };
    const any: VersionSources = { offered: () => '1.0.0', installed: () => undefined };
    expect(withDependencies(['a'], any, catalog)).toEqual(['c', 'b', 'a']);
    expect(withDependencies(['b', 'a'], any, catalog)).toEqual(['a', 'c', 'b']);
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
