import { describe, expect, it } from 'vitest';
import { rpmQuery } from './rpm-query';

const installed = {
  kubeadm: { version: '1.33.2-150500.1.1', via: 'dnf' as const },
  'containerd.io': { version: '1.7.27-3.1.el9', via: 'dnf' as const },
};

describe('rpm -q (rpm lib/query.cc)', () => {
  it('default format is name-version-release.arch, one line each', () => {
    expect(rpmQuery(installed, ['containerd.io', 'kubeadm'])).toEqual({ stdout: 'containerd.io-1.7.27-3.1.el9.x86_64\nkubeadm-1.33.2-150500.1.1.x86_64\n', stderr: '', exitCode: 0 });
  });

  it('--qf as kumi passes it: %{VERSION}-%{RELEASE} without a newline', () => {
    expect(rpmQuery(installed, ['kubeadm'], '%{VERSION}-%{RELEASE}').stdout).toBe('1.33.2-150500.1.1');
    expect(rpmQuery(installed, ['kubeadm'], '%{name}\\t%-8{version}|\\n').stdout).toBe('kubeadm\t1.33.2  |\n');
  });

  it('a missing package: "package X is not installed" on stdout, exit code = number missing', () => {
    expect(rpmQuery(installed, ['kubelet'], '%{VERSION}-%{RELEASE}')).toEqual({ stdout: 'package kubelet is not installed\n', stderr: '', exitCode: 1 });
    expect(rpmQuery(installed, ['kubelet', 'kubeadm', 'kubectl']).exitCode).toBe(2);
  });

  it('unknown tags and missing arguments are errors', () => {
    expect(rpmQuery(installed, ['kubeadm'], '%{NOPE}')).toMatchObject({ stderr: 'error: incorrect format: unknown tag: "NOPE"\n', exitCode: 1 });
    expect(rpmQuery(installed, [])).toMatchObject({ exitCode: 1 });
  });
});
