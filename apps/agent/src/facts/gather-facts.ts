import os from 'node:os';
import type { HostFacts } from '@kumi/steps';
// The subpath, not the package index: the index evaluates the whole step catalogue.
import { activeSwapDevices } from '@kumi/steps/proc-swaps';
import { detectFirewall, detectInitSystem, detectPackageManager, listNftTables } from './detect-host-software';
import { factFilesUnder } from './fact-files';
import { parseOsRelease } from './parse-os-release';
import { defaultRouteInterface } from './parse-proc';
import { readInterfaces } from './read-interfaces';
import { readHardwareUuid, readMemoryTotals, type MemoryTotals } from './system-information';

/** Everything facts are made from; tests replace it with fixtures. */
export interface FactSources {
  /** Folder that /etc, /proc, /sys, /run and /usr are read under: "/" on a real host. */
  root: string;
  hostName: string;
  kernel: string;
  /** Machine hardware name as `uname -m` prints it, e.g. "x86_64", "aarch64". */
  arch: string;
  cpus: number;
  /** Addresses per interface, as `os.networkInterfaces()` returns them. */
  networkInterfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** Memory and swap totals (systeminformation). */
  memory(): Promise<MemoryTotals>;
  /** The hardware UUID, lower case, "" when unknown (systeminformation). */
  hardwareUuid(): Promise<string>;
  /** `nft list tables` output, or undefined when nft is missing or fails. */
  nftTables(): Promise<string | undefined>;
}

/** The hardware UUID, read once per process (hostFactSources is called for every gathering). */
let hardwareUuid: Promise<string> | undefined;

/**
 * The real host's sources. systeminformation provides memory, swap totals and the hardware
 * UUID; Node's os module the kernel, machine, CPUs and addresses; the rest comes from files.
 */
export function hostFactSources(hostName: string = os.hostname()): FactSources {
  return {
    root: '/',
    hostName,
    kernel: os.release(),
    arch: os.machine(),
    // CPUs this process may run on, as kubeadm's NumCPU preflight check counts them.
    cpus: os.availableParallelism(),
    networkInterfaces: os.networkInterfaces(),
    memory: () => readMemoryTotals(),
    // Read once: it cannot change while the agent runs, and systeminformation starts a shell for it.
    hardwareUuid: () => (hardwareUuid ??= readHardwareUuid()),
    nftTables: listNftTables,
  };
}

/**
 * Reads the host's facts, every source at once. Never fails because one source is missing
 * (containers lack DMI, some /sys files or nft): that fact gets its "unknown" value instead.
 */
export async function gatherFacts(sources: FactSources): Promise<HostFacts> {
  const files = factFilesUnder(sources.root);
  const [osRelease, swaps, route, interfaces, memory, hardwareUuid, initSystem, packageManager, firewall, cgroupV2] = await Promise.all([
    files.read('/etc/os-release').then(async (text) => text ?? (await files.read('/usr/lib/os-release')) ?? ''),
    files.read('/proc/swaps'),
    files.read('/proc/net/route'),
    readInterfaces(files, sources.networkInterfaces),
    sources.memory(),
    sources.hardwareUuid(),
    detectInitSystem(files),
    detectPackageManager(files),
    detectFirewall(files, sources.nftTables),
    files.exists('/sys/fs/cgroup/cgroup.controllers'),
  ]);
  const defaultInterface = defaultRouteInterface(route ?? '');
  const defaultIpv4 = interfaces
    .find((item) => item.name === defaultInterface)
    ?.addresses.find((cidr) => !cidr.includes(':'))
    ?.split('/')[0];
  return {
    hostName: sources.hostName,
    os: parseOsRelease(osRelease),
    kernel: sources.kernel,
    arch: sources.arch,
    cpus: sources.cpus,
    memoryBytes: memory.totalBytes,
    interfaces,
    swap: { totalBytes: memory.swapTotalBytes, usedBytes: memory.swapUsedBytes, devices: activeSwapDevices(swaps ?? '') },
    initSystem,
    packageManager,
    firewall,
    cgroupVersion: cgroupV2 ? 2 : 1,
    productUuid: hardwareUuid,
    defaultIpv4: defaultIpv4 ?? '',
  };
}
