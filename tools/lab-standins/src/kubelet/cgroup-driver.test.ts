import { describe, expect, it } from 'vitest';
import { cgroupMismatch, kubeletCgroupDriver } from './cgroup-driver';

describe('kubelet vs runtime cgroup driver', () => {
  it('the kubelet defaults to cgroupfs without the field; kubeadm\'s config.yaml says systemd', () => {
    expect(kubeletCgroupDriver(null)).toBe('cgroupfs');
    expect(kubeletCgroupDriver({})).toBe('cgroupfs');
    expect(kubeletCgroupDriver({ cgroupDriver: 'systemd' })).toBe('systemd');
  });

  it('a systemd runtime refuses the cgroupfs kubelet\'s paths (runc); a cgroupfs runtime takes the systemd kubelet\'s (containerd getCgroupsPath + runc fs)', () => {
    expect(cgroupMismatch('cgroupfs', 'systemd')).toMatch(/^Failed to create pod sandbox: .*expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "\/kubepods\/besteffort\/pod.*kubelet cgroupDriver=cgroupfs, runtime systemd\)$/);
    expect(cgroupMismatch('systemd', 'cgroupfs')).toBeUndefined();
    expect(cgroupMismatch('systemd', 'systemd')).toBeUndefined();
    expect(cgroupMismatch('cgroupfs', 'cgroupfs')).toBeUndefined();
    expect(cgroupMismatch('systemd', undefined)).toBeUndefined();
  });
});
