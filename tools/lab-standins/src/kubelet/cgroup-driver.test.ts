import { describe, expect, it } from 'vitest';
import { cgroupMismatch, kubeletCgroupDriver } from './cgroup-driver';

describe('kubelet vs runtime cgroup driver', () => {
  it('the kubelet defaults to cgroupfs without the field; kubeadm\'s config.yaml says systemd', () => {
    expect(kubeletCgroupDriver(null)).toBe('cgroupfs');
    expect(kubeletCgroupDriver({})).toBe('cgroupfs');
    expect(kubeletCgroupDriver({ cgroupDriver: 'systemd' })).toBe('systemd');
  });

  it('no sandbox can be created when they differ (either way); same or unknown runtime driver: fine', () => {
    expect(cgroupMismatch('systemd', 'cgroupfs')).toMatch(/^Failed to create pod sandbox: .*kubelet cgroupDriver=systemd, runtime cgroupfs\)$/);
    expect(cgroupMismatch('cgroupfs', 'systemd')).toContain('expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups');
    expect(cgroupMismatch('systemd', 'systemd')).toBeUndefined();
    expect(cgroupMismatch('systemd', undefined)).toBeUndefined();
  });
});
