import { inHost } from '../in-host';
import { firewalldSnapshot, type ZoneView } from './firewalld-zones';

/** A host's firewall as the host itself reports it: which one runs, and its rules as comparable lines. */
export interface HostFirewallState {
  /** firewalld, nftables (a native rule set), iptables (iptables-nft tables) or none. */
  kind: 'firewalld' | 'nftables' | 'iptables' | 'none';
  /** One line per port, interface, source, rich rule (firewalld, runtime view) or rule (nftables). */
  rules: string[];
}

const zoneLines = (zone: string, view: ZoneView): string[] => [
  ...view.ports.map((port) => `${zone}: port ${port}`),
  ...view.services.map((service) => `${zone}: service ${service}`),
  ...view.interfaces.map((name) => `${zone}: interface ${name}`),
  ...view.sources.map((source) => `${zone}: source ${source}`),
  ...view.richRules.map((rule) => `${zone}: ${rule}`),
];

/** The rule lines of `nft list ruleset`, each prefixed with its table and chain; counters and handles dropped. */
export function nftRuleLines(ruleset: string): string[] {
  const lines: string[] = [];
  let table = '';
  let chain = '';
  for (const raw of ruleset.split('\n')) {
    const line = raw.trim();
    const opened = /^(table|chain)\s+(.+?)\s*\{$/.exec(line);
    if (opened) {
      if (opened[1] === 'table') table = opened[2] ?? '';
      else chain = opened[2] ?? '';
      continue;
    }
    if (!line || line === '}') continue;
    // A base chain's "type filter hook input priority filter; policy drop;" is read for its policy.
    const text = line.startsWith('type ') ? (/policy \w+/.exec(line)?.[0] ?? 'policy accept') : line.replace(/\s*counter packets \d+ bytes \d+/, '');
    lines.push(`${table} ${chain}: ${text}`);
  }
  return lines;
}

/** Reads which firewall a lab host runs and its current rules. */
export async function hostFirewallState(host: string): Promise<HostFirewallState> {
  const state = await inHost(host, ['firewall-cmd', '--state'], { timeoutMs: 10_000 });
  if (state.exitCode === 0) {
    const snapshot = await firewalldSnapshot(host);
    return { kind: 'firewalld', rules: [...zoneLines('public', snapshot.runtime.public), ...zoneLines('trusted', snapshot.runtime.trusted)] };
  }
  const ruleset = await inHost(host, ['nft', 'list', 'ruleset'], { timeoutMs: 10_000 });
  const text = String(ruleset.stdout);
  const tables = [...text.matchAll(/^table (\S+) (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  if (tables.length === 0) return { kind: 'none', rules: [] };
  const iptablesOnly = tables.every((t) => /^ip6? (filter|nat|mangle|raw|security)$/.test(t));
  return { kind: iptablesOnly ? 'iptables' : 'nftables', rules: nftRuleLines(text) };
}

/** One line for the demo's summary: the firewall and what changed in it between two readings. */
export function describeFirewallChange(before: HostFirewallState, after: HostFirewallState): string {
  if (before.kind === 'none' && after.kind === 'none') return 'none (no firewall running; kumi left it so)';
  const added = after.rules.filter((rule) => !before.rules.includes(rule));
  const removed = before.rules.filter((rule) => !after.rules.includes(rule));
  const what = before.kind === 'firewalld' ? 'firewalld' : before.kind === 'nftables' ? 'nftables rule set' : before.kind;
  const changes = [...added.map((rule) => `+ ${rule}`), ...removed.map((rule) => `- ${rule}`)];
  return `${what}${changes.length === 0 ? ': unchanged' : `; kumi changed:\n      ${changes.join('\n      ')}`}`;
}
