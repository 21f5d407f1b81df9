import { describe, expect, it } from 'vitest';
import { type CgroupFacts, cgroupValidatorTag, validateCgroups } from './preflight-cgroups';

// kubeadm's SystemVerification, cgroups part (k8s.io/system-validators
// validators/cgroup_validator_linux.go at the tag each kubeadm release vendors): facts in,
// findings out, per release.

const PROC_CGROUPS_ALL = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t2\t1\ncpu\t1\t2\t1\ncpuacct\t2\t2\t1\nblkio\t7\t2\t1\nmemory\t4\t60\t1\ndevices\t5\t2\t1\nfreezer\t6\t2\t1\nhugetlb\t0\t2\t1\npids\t8\t2\t1\n';

/** This machine's shape: a tmpfs /sys/fs/cgroup holding v1 hierarchies. */
const v1: CgroupFacts = {
  statfsCgroup2: false,
  mounts: 'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n',
  memoryIsDir: true,
  procCgroups: PROC_CGROUPS_ALL,
  freezeSupported: false,
};

/** A unified host (Debian 12, RHEL 9): cgroup2 on /sys/fs/cgroup. */
const v2: CgroupFacts = {
  statfsCgroup2: true,
  mounts: 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n',
  memoryIsDir: false,
  procCgroups: '',
  controllers: 'cpuset cpu io memory hugetlb pids rdma misc\n',
  freezeSupported: true,
};

const MAINTENANCE = { check: 'SystemVerification', message: 'cgroups v1 support is in maintenance mode, please migrate to cgroups v2', warning: true };
const DEPRECATED_TEXT =
  "cgroups v1 support is deprecated and will be removed in a future release. Please migrate to cgroups v2. To explicitly enable cgroups v1 support for kubelet v1.35 or newer, you must set the kubelet configuration option 'FailCgroupV1' to 'false'. You must also explicitly skip this validation. For more information, see https://git.k8s.io/enhancements/keps/sig-node/5573-remove-cgroup-v1";

describe('cgroups validator per kubeadm release', () => {
  it('vendored system-validators tags', () => {
    expect([28, 31, 32, 33, 34, 35, 36].map(cgroupValidatorTag)).toEqual(['v1.8.0', 'v1.8.0', 'v1.9.1', 'v1.10.0', 'v1.10.1', 'v1.12.1', 'v1.12.1']);
  });

  it.each([
    [30, undefined, []],
    [31, undefined, []],
    [32, undefined, [MAINTENANCE]],
    [33, undefined, [MAINTENANCE]],
    [34, undefined, [MAINTENANCE]],
    [35, '1.34.2', [{ check: 'SystemVerification', message: DEPRECATED_TEXT, warning: true }]],
    [35, '1.35.0', [{ check: 'SystemVerification', message: DEPRECATED_TEXT }]],
    [35, '1.36.1', [{ check: 'SystemVerification', message: DEPRECATED_TEXT }]],
  ])('cgroup v1, kubeadm v1.%i, kubelet %s', (minor, kubelet, expected) => {
    expect(validateCgroups(minor, v1, kubelet)).toEqual(expected);
  });

  it.each([28, 31, 32, 34, 35])('cgroup v2 with every controller, kubeadm v1.%i: nothing to report', (minor) => {
    expect(validateCgroups(minor, v2, '1.35.0')).toEqual([]);
  });

  it('required v1 controllers missing: one error that replaces the others; missing optional ones warn', () => {
    const disabled = PROC_CGROUPS_ALL.replace('pids\t8\t2\t1', 'pids\t0\t1\t0').replace('memory\t4\t60\t1', 'memory\t0\t1\t0').replace('hugetlb\t0\t2\t1\n', '');
    expect(validateCgroups(31, { ...v1, procCgroups: disabled })).toEqual([
      { check: 'SystemVerification', message: 'missing required cgroups: memory pids' },
      { check: 'SystemVerification', message: 'missing optional cgroups: hugetlb', warning: true },
    ]);
    // v1.12.1 with a v1.35 kubelet: the deprecation error is replaced by the missing-cgroups one (errs = []error{...}).
    expect(validateCgroups(35, { ...v1, procCgroups: disabled }, '1.35.0')).toEqual([
      { check: 'SystemVerification', message: 'missing required cgroups: memory pids' },
      { check: 'SystemVerification', message: 'missing optional cgroups: hugetlb', warning: true },
    ]);
  });

  it('cgroup v2: devices is assumed; freezer is assumed by v1.8.0, needs cgroup.freeze from v1.9.1; io and hugetlb are optional', () => {
    const noFreeze = { ...v2, freezeSupported: false, controllers: 'cpuset cpu memory pids\n' };
    expect(validateCgroups(31, noFreeze)).toEqual([{ check: 'SystemVerification', message: 'missing optional cgroups: hugetlb io', warning: true }]);
    expect(validateCgroups(32, noFreeze)).toEqual([
      { check: 'SystemVerification', message: 'missing required cgroups: freezer' },
      { check: 'SystemVerification', message: 'missing optional cgroups: hugetlb io', warning: true },
    ]);
  });

  it('v1.8.0 tells v2 by statfs, v1.9+ by /proc/mounts (a tmpfs root without a memory folder counts as v2)', () => {
    const tmpfsNoMemory: CgroupFacts = { ...v2, statfsCgroup2: false, mounts: 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\n', memoryIsDir: false, procCgroups: PROC_CGROUPS_ALL };
    expect(validateCgroups(31, tmpfsNoMemory)).toEqual([]);
    expect(validateCgroups(32, tmpfsNoMemory)).toEqual([]);
    expect(validateCgroups(32, { ...v1, mounts: 'proc /proc proc rw 0 0\n' })).toEqual([{ check: 'SystemVerification', message: 'cannot get a cgroup mount point: cannot get a cgroupfs mount point from "/proc/mounts"' }]);
  });
});
