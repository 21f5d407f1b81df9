import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { HostFacts, NetInterface } from '@kumi/steps';
import { execa } from 'execa';
import { parseOsRelease } from './parse-os-release';
import { defaultRouteInterface, parseMeminfoSwap, parseProcSwaps } from './parse-proc';

/** Everything facts are made from; tests replace it with fixtures. */
export interface FactSources {
  /** Folder that /etc, /proc, /sys and /usr are read under: "/" on a real host. */
  root: string;
  hostName: string;
  kernel: string;
  arch: string;
  cpus: number;
  memoryBytes: number;
  networkInterfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** `nft list tables` output, or undefined when nft is missing or fails. */
  nftTables(): Promise<string | undefined>;
}

/** The real host's sources. */
export function hostFactSources(hostName: string = os.hostname()): FactSources {
  return {
    root: '/',
    hostName,
    kernel: os.release(),
    arch: os.machine(),
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    networkInterfaces: os.networkInterfaces(),
    nftTables: listNftTables,
  };
}

const NFT_TIMEOUT_MS = 500;
const IPTABLES_NFT_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);
const IFF_UP = 0x1;

/**
 * Reads the host's facts. Never fails because one source is missing (containers lack
 * DMI, some /sys files or nft): that fact gets its "unknown" value instead.
 */
export async function gatherFacts(sources: FactSources): Promise<HostFacts> {
  const read = (path: string): Promise<string | undefined> => readText(join(sources.root, path));
  const exists = (path: string): Promise<boolean> => pathExists(join(sources.root, path));
  const [osRelease, meminfo, swaps, route, interfaces, initSystem, packageManager, firewall, cgroupV2, productUuid] = await Promise.all([
    read('/etc/os-release').then(async (text) => text ?? (await read('/usr/lib/os-release')) ?? ''),
    read('/proc/meminfo'),
    read('/proc/swaps'),
    read('/proc/net/route'),
    readInterfaces(sources),
    detectInitSystem(read, exists),
    detectPackageManager(exists),
    detectFirewall(sources, read),
    exists('/sys/fs/cgroup/cgroup.controllers'),
    read('/sys/class/dmi/id/product_uuid'),
  ]);
  const swapTotals = parseMeminfoSwap(meminfo ?? '');
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
    memoryBytes: sources.memoryBytes,
    interfaces,
    swap: { ...swapTotals, devices: parseProcSwaps(swaps ?? '') },
    initSystem,
    packageManager,
    firewall,
    cgroupVersion: cgroupV2 ? 2 : 1,
    productUuid: (productUuid ?? '').trim().toLowerCase(),
    defaultIpv4: defaultIpv4 ?? '',
  };
}

type Read = (path: string) => Promise<string | undefined>;
type Exists = (path: string) => Promise<boolean>;

async function readInterfaces(sources: FactSources): Promise<NetInterface[]> {
  const sysNames = await listDir(join(sources.root, '/sys/class/net'));
  const names = [...new Set([...sysNames, ...Object.keys(sources.networkInterfaces)])].sort();
  return Promise.all(
    names.map(async (name): Promise<NetInterface> => {
      const infos = sources.networkInterfaces[name] ?? [];
      const sysDir = join(sources.root, '/sys/class/net', name);
      const [address, flags, isVirtual] = await Promise.all([
        readText(join(sysDir, 'address')),
        readText(join(sysDir, 'flags')),
        pathExists(join(sources.root, '/sys/devices/virtual/net', name)),
      ]);
      const up = flags !== undefined ? (Number.parseInt(flags.trim(), 16) & IFF_UP) !== 0 : infos.length > 0;
      return {
        name,
        mac: (address?.trim() ?? infos[0]?.mac ?? '').toLowerCase(),
        addresses: infos.map((info) => info.cidr).filter((cidr): cidr is string => cidr !== null),
        up,
        virtual: isVirtual || (sysNames.length === 0 && infos.some((info) => info.internal)),
      };
    }),
  );
}

async function detectInitSystem(read: Read, exists: Exists): Promise<HostFacts['initSystem']> {
  // sd_booted(3): systemd is the init system exactly when this folder exists.
  if (await exists('/run/systemd/system')) return 'systemd';
  const pid1 = (await read('/proc/1/comm'))?.trim() ?? '';
  if (pid1 === 'openrc-init' || (await exists('/run/openrc'))) return 'openrc';
  if (pid1 === 'init' && (await exists('/etc/inittab'))) return 'sysvinit';
  return 'unknown';
}

async function detectPackageManager(exists: Exists): Promise<HostFacts['packageManager']> {
  const [apt, dnf, yum] = await Promise.all(['/usr/bin/apt-get', '/usr/bin/dnf', '/usr/bin/yum'].map((path) => exists(path)));
  if (apt) return 'apt';
  if (dnf) return 'dnf';
  if (yum) return 'yum';
  return 'unknown';
}

async function detectFirewall(sources: FactSources, read: Read): Promise<HostFacts['firewall']> {
  const pidText = (await read('/run/firewalld.pid')) ?? (await read('/var/run/firewalld.pid'));
  const pid = pidText?.trim();
  if (pid && /^\d+$/.test(pid) && (await read(`/proc/${pid}/comm`))?.trim() === 'firewalld') return 'firewalld';
  const tables = parseNftTables((await sources.nftTables()) ?? '');
  if (tables.some((table) => !isIptablesNftTable(table))) return 'nftables';
  const legacy = ((await read('/proc/net/ip_tables_names')) ?? '').trim();
  if (tables.length > 0 || legacy.length > 0) return 'iptables';
  return 'none';
}

/** "table inet filter" lines of `nft list tables` as { family, name }. */
export function parseNftTables(text: string): { family: string; name: string }[] {
  return text
    .split('\n')
    .map((line) => /^table\s+(\S+)\s+(\S+)/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ family: match[1]!, name: match[2]! }));
}

/** Tables that iptables-nft makes: iptables rules, not a native nftables rule set. */
function isIptablesNftTable(table: { family: string; name: string }): boolean {
  return (table.family === 'ip' || table.family === 'ip6') && IPTABLES_NFT_TABLES.has(table.name);
}

async function listNftTables(): Promise<string | undefined> {
  try {
    const result = await execa('nft', ['list', 'tables'], { timeout: NFT_TIMEOUT_MS, reject: false, stdin: 'ignore' });
    return result.exitCode === 0 ? result.stdout : undefined;
  } catch {
    return undefined;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}
