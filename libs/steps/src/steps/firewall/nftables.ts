import type { Action } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';
import type { PackageFamily } from '../common/packages';
import { packageFamilyOf } from '../common/packages';
import type { FirewallParams } from './params';
import { rolePorts } from './role-ports';

/** A base chain hooked to input or forward, with its rules in order. */
export interface NftChain {
  family: string;
  table: string;
  name: string;
  hook: 'input' | 'forward';
  rules: { handle: number; comment: string | undefined; rejecting: boolean }[];
}

/** What the nftables backend reads. */
export interface NftablesFacts {
  backend: 'nftables';
  packages: PackageFamily;
  chains: NftChain[];
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
  return {
    backend: 'nftables',
    packages,
    chains,
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
      chains.push({ family: chain.family, table: chain.table, name: chain.name, hook: chain.hook, rules: [] });
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
 * In every filter chain hooked to input/forward: kumi's rules before the first REJECT (or
 * bare DROP) found now, stale kumi rules deleted; an include file re-inserting them at
 * boot, at the top of the same chains.
 */
export function planNftables(facts: NftablesFacts, params: FirewallParams): { actions: Action[]; summary: string } {
  const wanted = wantedNftRules(params);
  const actions: Action[] = [];
  for (const chain of facts.chains) {
    const mine = wanted.filter((rule) => rule.hook === chain.hook);
    const firstReject = chain.rules.findIndex((rule) => rule.comment?.startsWith('kumi:') !== true && rule.rejecting);
    const kept = new Set<string>();
    chain.rules.forEach((rule, index) => {
      if (rule.comment?.startsWith('kumi:') !== true) return;
      const ok = mine.some((want) => want.comment === rule.comment) && (firstReject === -1 || index < firstReject) && !kept.has(rule.comment);
      if (ok) kept.add(rule.comment);
      else actions.push({ kind: 'run', argv: ['nft', 'delete', 'rule', chain.family, chain.table, chain.name, 'handle', String(rule.handle)], why: `remove a stale or misplaced kumi rule from ${chain.table}/${chain.name}` });
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
  }
  const include = renderInclude(facts.chains, wanted);
  if (facts.chains.length > 0 && facts.includeFile !== include) {
    actions.push({ kind: 'write', path: NFT_INCLUDE_FILE, content: include, why: 're-insert kumi\'s rules when the ruleset is loaded at boot' });
  }
  const line = `include "${NFT_INCLUDE_FILE}"`;
  if (facts.chains.length > 0 && facts.mainConf !== undefined && !facts.mainConf.split('\n').some((text) => text.trim() === line)) {
    actions.push({ kind: 'write', path: MAIN_CONF[facts.packages], content: `${facts.mainConf.replace(/\n*$/, '\n')}${line}\n`, mode: facts.packages === 'apt' ? 0o755 : 0o600, why: 'load kumi\'s rules after the distribution\'s ruleset at boot' });
  }
  const summary =
    facts.chains.length === 0
      ? 'no nftables filter chain hooks input or forward: nothing blocks the cluster\'s traffic'
      : `nftables chains ${facts.chains.map((chain) => `${chain.table}/${chain.name}`).join(', ')} already accept kumi's traffic before any reject`;
  return { actions, summary };
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
