import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PreflightError } from './preflight';

// SystemVerification's cgroups part: k8s.io/system-validators validators/cgroup_validator_linux.go
// and the Cgroups* lists of types_unix.go, at the tag each kubeadm release vendors (v1.8.0 up
// to v1.31, v1.9.1 for v1.32, v1.10.0 for v1.33, v1.10.1 for v1.34, v1.12.1 for v1.35: the
// release that made the cgroup v1 message depend on the kubelet's version, kubernetes/
// system-validators#61). The controller lists are the same in all of them.

/** What the validator reads from the machine. */
export interface CgroupFacts {
  /** statfs("/sys/fs/cgroup").f_type is CGROUP2_SUPER_MAGIC (how v1.8.0 tells v2). */
  readonly statfsCgroup2: boolean;
  /** /proc/mounts (how v1.9+ tells v2: getUnifiedMountpoint). */
  readonly mounts: string;
  /** /sys/fs/cgroup/memory is a folder (a tmpfs /sys/fs/cgroup holding v1 hierarchies). */
  readonly memoryIsDir: boolean;
  /** /proc/cgroups. */
  readonly procCgroups: string;
  /** cgroup.controllers of the unified mount point (v2 only); undefined when unreadable. */
  readonly controllers?: string;
  /** A child cgroup of the unified mount point gets a cgroup.freeze file (kernel >= 5.2; v1.9+'s checkCgroupV2Freeze). */
  readonly freezeSupported: boolean;
}

const REQUIRED_V1 = ['cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids'];
const OPTIONAL_V1 = ['hugetlb', 'blkio'];
const REQUIRED_V2 = ['cpu', 'cpuset', 'devices', 'freezer', 'memory', 'pids'];
const OPTIONAL_V2 = ['hugetlb', 'io'];

const MAINTENANCE_V1 = 'cgroups v1 support is in maintenance mode, please migrate to cgroups v2';
const DEPRECATED_V1 =
  "cgroups v1 support is deprecated and will be removed in a future release. Please migrate to cgroups v2. To explicitly enable cgroups v1 support for kubelet v1.35 or newer, you must set the kubelet configuration option 'FailCgroupV1' to 'false'. You must also explicitly skip this validation. For more information, see https://git.k8s.io/enhancements/keps/sig-node/5573-remove-cgroup-v1";

/** The system-validators tag a kubeadm minor vendors (cgroups behaviour only). */
export function cgroupValidatorTag(kubeadmMinor: number): 'v1.8.0' | 'v1.9.1' | 'v1.10.0' | 'v1.10.1' | 'v1.12.1' {
  if (kubeadmMinor <= 31) return 'v1.8.0';
  if (kubeadmMinor === 32) return 'v1.9.1';
  if (kubeadmMinor === 33) return 'v1.10.0';
  if (kubeadmMinor === 34) return 'v1.10.1';
  return 'v1.12.1';
}

/** getUnifiedMountpoint (v1.9+): the default mount point decides; else the first cgroup2 mount, else v1. */
function isCgroupV2ByMounts(facts: CgroupFacts): boolean | undefined {
  let sawV1 = false;
  for (const line of facts.mounts.split('\n')) {
    if (!line.includes('cgroup')) continue;
    const [, mountPoint, type] = line.trim().split(/\s+/);
    if (type === undefined) continue;
    if (mountPoint === '/sys/fs/cgroup') return type === 'tmpfs' ? !facts.memoryIsDir : type === 'cgroup2';
    if (type === 'cgroup2') return true;
    if (type === 'cgroup') sawV1 = true;
  }
  return sawV1 ? false : undefined;
}

/** Enabled v1 controllers: /proc/cgroups lines whose `enabled` column is not 0. */
function v1Subsystems(procCgroups: string): string[] {
  return procCgroups.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.trim().split(/\s+/)).filter((f) => f.length >= 4 && f[3] !== '0').map((f) => f[0] as string);
}

/** The kubelet version x.y.z is at least 1.35.0-0 (isCgroupsV1DisabledInKubelet). */
function kubeletRefusesV1(kubeletVersion: string | undefined): boolean {
  const m = /^v?(\d+)\.(\d+)\./.exec(kubeletVersion ?? '');
  return m !== null && (Number(m[1]) > 1 || (Number(m[1]) === 1 && Number(m[2]) >= 35));
}

/**
 * CgroupsValidator.Validate for one kubeadm release: required controllers missing is an error
 * (`missing required cgroups: a b`, which replaces the other errors), optional ones a warning;
 * on cgroup v1 nothing more up to v1.31, a "maintenance mode" warning for v1.32-v1.34, and from
 * v1.35 the deprecation text: an error when the kubelet is v1.35 or newer (it refuses v1
 * unless failCgroupV1: false), else a warning. `kubeletVersion` is `kubelet --version`'s.
 */
export function validateCgroups(kubeadmMinor: number, facts: CgroupFacts, kubeletVersion?: string): PreflightError[] {
  const tag = cgroupValidatorTag(kubeadmMinor);
  const check = 'SystemVerification';
  let errors: string[] = [];
  const warnings: string[] = [];
  const v2 = tag === 'v1.8.0' ? facts.statfsCgroup2 : isCgroupV2ByMounts(facts);
  if (v2 === undefined) return [{ check, message: 'cannot get a cgroup mount point: cannot get a cgroupfs mount point from "/proc/mounts"' }];
  let subsystems: string[];
  if (v2) {
    if (facts.controllers === undefined) return [{ check, message: `failed to get cgroup${tag === 'v1.8.0' ? '' : 's'} v2 subsystems: open /sys/fs/cgroup/cgroup.controllers: no such file or directory` }];
    // devices (kernel 4.15) is assumed; freezer too in v1.8.0, from v1.9 only when cgroup.freeze exists.
    subsystems = ['devices', ...(tag === 'v1.8.0' || facts.freezeSupported ? ['freezer'] : []), ...facts.controllers.trim().split(/\s+/)];
  } else {
    if (tag === 'v1.9.1' || tag === 'v1.10.0' || tag === 'v1.10.1') warnings.push(MAINTENANCE_V1);
    if (tag === 'v1.12.1') (kubeletRefusesV1(kubeletVersion) ? errors : warnings).push(DEPRECATED_V1);
    subsystems = v1Subsystems(facts.procCgroups);
  }
  const missing = (names: string[]): string[] => names.filter((n) => !subsystems.includes(n));
  const required = missing(v2 ? REQUIRED_V2 : REQUIRED_V1);
  if (required.length > 0) errors = [`missing required cgroups: ${required.join(' ')}`];
  const optional = missing(v2 ? OPTIONAL_V2 : OPTIONAL_V1);
  if (optional.length > 0) warnings.push(`missing optional cgroups: ${optional.join(' ')}`);
  return [...errors.map((message) => ({ check, message })), ...warnings.map((message) => ({ check, message, warning: true }))];
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** True when a child cgroup of `root` gets a cgroup.freeze file (checkCgroupV2Freeze); the probe folder is removed. */
function freezeSupported(root: string): boolean {
  let dir: string | undefined;
  try {
    dir = fs.mkdtempSync(path.join(root, 'freezer-test'));
    return fs.existsSync(path.join(dir, 'cgroup.freeze'));
  } catch {
    return false;
  } finally {
    // A probe folder that cannot be removed must not replace the answer (nor throw past it).
    if (dir !== undefined) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // left behind: harmless, an empty child cgroup
      }
    }
  }
}

const readOr = (file: string, fallback: string | undefined): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
};

/**
 * Inside a lab host: the cgroup facts of the machine, recorded by the lab when it prepared the
 * host. A lab host mounts a fresh sysfs, so its /sys/fs/cgroup is empty while its /proc/mounts
 * still lists the machine's tmpfs there; a VM on this machine would see the machine's cgroups.
 */
export const LAB_CGROUP_FACTS = '/etc/kumi-lab/machine-cgroups.json';

function recordedFacts(): CgroupFacts | undefined {
  try {
    return JSON.parse(fs.readFileSync(LAB_CGROUP_FACTS, 'utf8')) as CgroupFacts;
  } catch {
    return undefined;
  }
}

/** /sys/fs/cgroup is cgroup2 (statfs f_type CGROUP2_SUPER_MAGIC), as runc's cgroups.IsCgroup2UnifiedMode tells it for the kubelet. */
export function isCgroup2UnifiedMode(): boolean {
  const recorded = recordedFacts();
  if (recorded !== undefined) return recorded.statfsCgroup2;
  try {
    return fs.statfsSync('/sys/fs/cgroup').type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** The facts of this machine (inside a lab host: the machine's, as recorded by the lab), read as the validator reads them. */
export function machineCgroupFacts(): CgroupFacts {
  return recordedFacts() ?? readMachineCgroupFacts();
}

/** The facts as this machine shows them (what the lab records for its hosts). */
export function readMachineCgroupFacts(): CgroupFacts {
  const statfsCgroup2 = isCgroup2UnifiedMode();
  const memoryIsDir = (() => {
    try {
      return fs.statSync('/sys/fs/cgroup/memory').isDirectory();
    } catch {
      return false;
    }
  })();
  const v2 = statfsCgroup2;
  return {
    statfsCgroup2,
    mounts: readOr('/proc/mounts', '') ?? '',
    memoryIsDir,
    procCgroups: readOr('/proc/cgroups', '') ?? '',
    controllers: readOr('/sys/fs/cgroup/cgroup.controllers', undefined),
    // Only probed on a cgroup v2 machine: creating a cgroup is what the validator does there.
    freezeSupported: v2 && os.platform() === 'linux' ? freezeSupported('/sys/fs/cgroup') : false,
  };
}
