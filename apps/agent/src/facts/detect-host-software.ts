import type { HostFacts } from '@kumi/steps';
import { runFile } from '../runtime/run-file';
import type { FactFiles } from './fact-files';

const NFT_TIMEOUT_MS = 500;
const IPTABLES_NFT_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

/** The init system running now. */
export async function detectInitSystem(files: FactFiles): Promise<HostFacts['initSystem']> {
  // sd_booted(3): systemd is the init system exactly when this folder exists.
  if (await files.exists('/run/systemd/system')) return 'systemd';
  const pid1 = (await files.read('/proc/1/comm'))?.trim() ?? '';
  if (pid1 === 'openrc-init' || (await files.exists('/run/openrc'))) return 'openrc';
  if (pid1 === 'init' && (await files.exists('/etc/inittab'))) return 'sysvinit';
  return 'unknown';
}

/** The package manager installed (apt before dnf before yum). */
export async function detectPackageManager(files: FactFiles): Promise<HostFacts['packageManager']> {
  const [apt, dnf, yum] = await Promise.all(['/usr/bin/apt-get', '/usr/bin/dnf', '/usr/bin/yum'].map((path) => files.exists(path)));
  if (apt) return 'apt';
  if (dnf) return 'dnf';
  if (yum) return 'yum';
  return 'unknown';
}

/**
 * The firewall in charge now: a running firewalld (pid file, or its nftables table), else a native nftables rule set, else
 * iptables rules (iptables-nft tables or the legacy kernel tables), else none.
 * `nftTables` is the output of `nft list tables`, undefined when nft is missing or fails.
 */
export async function detectFirewall(files: FactFiles, nftTables: () => Promise<string | undefined>): Promise<HostFacts['firewall']> {
  const pidText = (await files.read('/run/firewalld.pid')) ?? (await files.read('/var/run/firewalld.pid'));
  const pid = pidText?.trim();
  if (pid && /^\d+$/.test(pid) && (await files.read(`/proc/${pid}/comm`))?.trim() === 'firewalld') return 'firewalld';
  const tables = parseNftTables((await nftTables()) ?? '');
  // Distributions start firewalld with --nopid, so its own nftables table is the sign that
  // it is in charge (nftables backend, the default since firewalld 0.6).
  if (tables.some((table) => table.family === 'inet' && table.name === 'firewalld')) return 'firewalld';
  if (tables.some((table) => !isIptablesNftTable(table))) return 'nftables';
  const legacy = ((await files.read('/proc/net/ip_tables_names')) ?? '').trim();
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

/** `nft list tables` on this host, bounded in time; undefined when nft is missing or fails. */
export async function listNftTables(): Promise<string | undefined> {
  const { error, stdout } = await runFile('nft', ['list', 'tables'], NFT_TIMEOUT_MS);
  return error ? undefined : stdout;
}
