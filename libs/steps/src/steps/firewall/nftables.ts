import type { Action } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';
import type { PackageFamily } from '../common/packages';
import { packageFamilyOf } from '../common/packages';
import type { ChainRule } from './iptables-rules';
import { chainChanges, changeArgv, kumiCommentOf, parseChain } from './iptables-rules';
import { wantedIptablesRules } from './iptables';
import type { FirewallParams } from './params';
import { rolePorts } from './role-ports';

/** A base chain hooked to input or forward, with its rules in order. */
export interface NftChain {
  family: string;
  table: string;
  name: string;
  hook: 'input' | 'forward';
  /**
   * Who writes this chain: native nft, or iptables-nft (one of its builtin tables). kumi
   * changes an iptables-nft chain only with iptables-nft, so iptables keeps reading it.
   */
  owner: 'nft' | 'iptables-nft';
  rules: { handle: number; comment: string | undefined; rejecting: boolean }[];
}

/**
 * The tables iptables-nft creates and reads as its own in family ip (iptables/nft.c
 * `xtables_ipv4[]`, iptables v1.8.11, git.netfilter.org/iptables, mirrored at
 * aosp-mirror/platform_external_iptables). A rule there that iptables cannot express makes
 * it refuse the table ("table `filter' is incompatible, use 'nft' tool", nft.c
 * nft_assert_table_compatible; iptables < 1.8.4 for set lookups) or, from 1.8.4 on, print
 * and save the rule without the set match it cannot parse (nft-ruleparse.c parses lookups
 * for ebtables only): `tcp dport { 6443 } accept` reads back as `-p tcp -j ACCEPT`.
 */
const IPTABLES_NFT_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

/** What the nftables backend reads. */
export interface NftablesFacts {
  backend: 'nftables';
  packages: PackageFamily;
  chains: NftChain[];
  /** `iptables-nft -S` of the iptables-nft chains among `chains`, by chain name. */
  iptablesChains: Partial<Record<'INPUT' | 'FORWARD', ChainRule[]>>;
  mainConf: string | undefined;
  includeFile: string | undefined;
}

/** A rule kumi keeps: the comment names it and carries what it matches, so drift shows. */
export interface NftRule {
  hook: 'input' | 'forward';
  comment: string;
  /** The rule body before `comment`, as nft tokens. */
  body: string[];
}

const MAIN_CONF = { apt: '/etc/nftables.conf', dnf: '/etc/sysconfig/nftables.conf' } as const;
/** The table firewalld's nftables backend rewrites on every reload. */
const FIREWALLD_TABLE = 'firewalld';
/** Holds kumi's `insert rule` commands; included at the end of the distribution's ruleset. */
export const NFT_INCLUDE_FILE = '/etc/nftables.kumi.nft';

/** kumi's rules for these roles. */
export function wantedNftRules(params: FirewallParams): NftRule[] {
  const ports = rolePorts(params);
  const rules: NftRule[] = [];
  if (ports.tcp.length > 0) rules.push({ hook: 'input', comment: `kumi:ports-tcp:${ports.tcp.join(',')}`, body: ['tcp', 'dport', '{', ports.tcp.join(', '), '}', 'accept'] });
  if (ports.udp.length > 0) rules.push({ hook: 'input', comment: `kumi:ports-udp:${ports.udp.join(',')}`, body: ['udp', 'dport', '{', ports.udp.join(', '), '}', 'accept'] });
  if (ports.vrrp) rules.push({ hook: 'input', comment: 'kumi:vrrp', body: ['ip', 'protocol', 'vrrp', 'accept'] });
  if (params.roles.includes('control-plane') || params.roles.includes('worker')) {
    rules.push({ hook: 'forward', comment: `kumi:pod-network-src:${params.podCidr}`, body: ['ip', 'saddr', params.podCidr, 'accept'] });
    rules.push({ hook: 'forward', comment: `kumi:pod-network-dst:${params.podCidr}`, body: ['ip', 'daddr', params.podCidr, 'accept'] });
  }
  return rules;
}

interface NftJsonItem {
  chain?: { family: string; table: string; name: string; hook?: string; type?: string };
  rule?: { family: string; table: string; chain: string; handle: number; comment?: string; expr?: Record<string, unknown>[] };
}

/** Reads the base chains hooked to input/forward (ip and inet families) and the boot files. */
export async function readNftables(host: HostReader): Promise<NftablesFacts> {
  const packages = packageFamilyOf(host.facts);
  const listed = await host.probe(['nft', '-j', 'list', 'ruleset']);
  if (listed.exitCode !== 0) throw new Error(`nft -j list ruleset failed: ${listed.stderr.trim()}`);
  const chains = parseNftRuleset(listed.stdout);
  if (chains.some((chain) => chain.table === FIREWALLD_TABLE)) {
    throw new StepFailure(
      'CHECK_FAILED',
      `firewalld owns the nftables ruleset on ${host.facts.hostName} (table inet ${FIREWALLD_TABLE}): rules kumi inserted there would be dropped at its next reload. ` +
        'Fix: choose firewall backend firewalld (or auto), or stop and disable firewalld before using backend nftables.',
    );
  }
  const iptablesChains: NftablesFacts['iptablesChains'] = {};
  for (const chain of chains.filter((c) => c.owner === 'iptables-nft')) {
    const name = chain.name === 'INPUT' || chain.name === 'FORWARD' ? chain.name : undefined;
    if (name === undefined) continue;
    const listed = await host.probe(['iptables-nft', '-w', '-S', name]);
    if (listed.exitCode !== 0) {
      throw new StepFailure(
        'CHECK_FAILED',
        `iptables-nft cannot read ${chain.family} ${chain.table} ${name} on ${host.facts.hostName}: ${listed.stderr.trim()}. ` +
          `Fix: remove the native nft rules from that chain (nft -a list chain ${chain.family} ${chain.table} ${name}); iptables-nft owns it.`,
      );
    }
    iptablesChains[name] = parseChain(listed.stdout, name);
  }
  return {
    backend: 'nftables',
    packages,
    chains,
    iptablesChains,
    mainConf: await host.readFile(MAIN_CONF[packages]),
    includeFile: await host.readFile(NFT_INCLUDE_FILE),
  };
}

/** The filter base chains of `nft -j list ruleset` kumi may need to open. */
export function parseNftRuleset(json: string): NftChain[] {
  const items = ((JSON.parse(json) as { nftables?: NftJsonItem[] }).nftables ?? []);
  const chains: NftChain[] = [];
  for (const item of items) {
    const chain = item.chain;
    if (chain !== undefined && (chain.hook === 'input' || chain.hook === 'forward') && chain.type === 'filter' && ['ip', 'inet'].includes(chain.family)) {
      const owner = chain.family === 'ip' && IPTABLES_NFT_TABLES.has(chain.table) ? 'iptables-nft' : 'nft';
      chains.push({ family: chain.family, table: chain.table, name: chain.name, hook: chain.hook, owner, rules: [] });
    }
    const rule = item.rule;
    if (rule !== undefined) {
      const owner = chains.find((c) => c.family === rule.family && c.table === rule.table && c.name === rule.chain);
      owner?.rules.push({ handle: rule.handle, comment: rule.comment, rejecting: isRejectingExpr(rule.expr ?? []) });
    }
  }
  return chains;
}

function isRejectingExpr(expr: Record<string, unknown>[]): boolean {
  if (expr.some((part) => 'reject' in part)) return true;
  const meaningful = expr.filter((part) => !('counter' in part));
  return meaningful.length === 1 && 'drop' in (meaningful[0] ?? {});
}

/**
 * Every filter chain hooked to input/forward must accept kumi's traffic, since a packet
 * accepted by one base chain still meets the next one at the same hook. In native chains:
 * kumi's nft rules before the first REJECT (or bare DROP) found now, stale ones deleted,
 * and an include file re-inserting them at boot. In iptables-nft's chains: the same rules
 * through iptables-nft (so iptables keeps reading its table), and any native rule kumi put
 * there before deleted by handle.
 */
export function planNftables(facts: NftablesFacts, params: FirewallParams): { actions: Action[]; summary: string } {
  const wanted = wantedNftRules(params);
  const actions: Action[] = [];
  for (const chain of facts.chains) {
    if (chain.owner === 'iptables-nft') actions.push(...planIptablesNftChain(chain, facts.iptablesChains, params));
    else actions.push(...planNativeChain(chain, wanted));
  }
  const native = facts.chains.filter((chain) => chain.owner === 'nft');
  const include = renderInclude(native, wanted);
  if (native.length > 0 && facts.includeFile !== include) {
    actions.push({ kind: 'write', path: NFT_INCLUDE_FILE, content: include, why: 're-insert kumi\'s rules when the ruleset is loaded at boot' });
  }
  const line = `include "${NFT_INCLUDE_FILE}"`;
  if (native.length > 0 && facts.mainConf !== undefined && !facts.mainConf.split('\n').some((text) => text.trim() === line)) {
    actions.push({ kind: 'write', path: MAIN_CONF[facts.packages], content: `${facts.mainConf.replace(/\n*$/, '\n')}${line}\n`, mode: facts.packages === 'apt' ? 0o755 : 0o600, why: 'load kumi\'s rules after the distribution\'s ruleset at boot' });
  }
  const summary =
    facts.chains.length === 0
      ? 'no nftables filter chain hooks input or forward: nothing blocks the cluster\'s traffic'
      : `nftables chains ${facts.chains.map((chain) => `${chain.table}/${chain.name}`).join(', ')} already accept kumi's traffic before any reject`;
  return { actions, summary };
}

function planNativeChain(chain: NftChain, wanted: readonly NftRule[]): Action[] {
  const actions: Action[] = [];
  const mine = wanted.filter((rule) => rule.hook === chain.hook);
  const firstReject = chain.rules.findIndex((rule) => rule.comment?.startsWith('kumi:') !== true && rule.rejecting);
  const kept = new Set<string>();
  chain.rules.forEach((rule, index) => {
    if (rule.comment?.startsWith('kumi:') !== true) return;
    const ok = mine.some((want) => want.comment === rule.comment) && (firstReject === -1 || index < firstReject) && !kept.has(rule.comment);
    if (ok) kept.add(rule.comment);
    else actions.push(deleteByHandle(chain, rule.handle, `remove a stale or misplaced kumi rule from ${chain.table}/${chain.name}`));
  });
  for (const rule of mine.filter((want) => !kept.has(want.comment))) {
    const rejectHandle = firstReject === -1 ? undefined : chain.rules[firstReject]?.handle;
    const where = rejectHandle === undefined ? ['add', 'rule', chain.family, chain.table, chain.name] : ['insert', 'rule', chain.family, chain.table, chain.name, 'position', String(rejectHandle)];
    actions.push({
      kind: 'run',
      argv: ['nft', ...where, ...rule.body, 'comment', `"${rule.comment}"`],
      why: rejectHandle === undefined ? `accept in ${chain.table}/${chain.name}` : `accept before the first reject of ${chain.table}/${chain.name}`,
    });
  }
  return actions;
}

/**
 * An iptables-nft chain: native kumi rules (only an older kumi wrote them) deleted by
 * handle first, then iptables-nft puts kumi's iptables rules before the first REJECT/DROP.
 * The iptables listing is renumbered without the native rules, as they are gone by then.
 */
function planIptablesNftChain(chain: NftChain, listed: NftablesFacts['iptablesChains'], params: FirewallParams): Action[] {
  const name = chain.name === 'INPUT' || chain.name === 'FORWARD' ? chain.name : undefined;
  if (name === undefined) return [];
  const native = chain.rules.filter((rule) => rule.comment?.startsWith('kumi:') === true);
  const actions: Action[] = native.map((rule) => deleteByHandle(chain, rule.handle, `kumi's native nft rule does not belong in iptables-nft's ${chain.table}/${chain.name}`));
  const nativeComments = new Set(native.map((rule) => rule.comment));
  const rules = (listed[name] ?? [])
    .filter((rule) => !nativeComments.has(kumiCommentOf(rule.spec)))
    .map((rule, index) => ({ number: index + 1, spec: rule.spec }));
  for (const change of chainChanges(name, rules, wantedIptablesRules(params).filter((rule) => rule.chain === name))) {
    actions.push({ kind: 'run', argv: changeArgv(change, 'iptables-nft'), why: `accept in iptables-nft's ${chain.table}/${name} before its first REJECT/DROP` });
  }
  return actions;
}

function deleteByHandle(chain: NftChain, handle: number, why: string): Action {
  return { kind: 'run', argv: ['nft', 'delete', 'rule', chain.family, chain.table, chain.name, 'handle', String(handle)], why };
}

function renderInclude(chains: readonly NftChain[], wanted: readonly NftRule[]): string {
  const lines = ['# Written by kumi (step firewall): cluster traffic accepted ahead of the rules below.'];
  for (const chain of chains) {
    for (const rule of wanted.filter((want) => want.hook === chain.hook)) {
      lines.push(`insert rule ${chain.family} ${chain.table} ${chain.name} ${rule.body.join(' ')} comment "${rule.comment}"`);
    }
  }
  return `${lines.join('\n')}\n`;
}
