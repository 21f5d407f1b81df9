import { kumiCommentOf, tokenizeRule } from '../firewall/iptables-rules';

/** Chains Kubernetes networking creates (kube-proxy, flannel, CNI portmap). */
const CLEANED_CHAIN = /^(KUBE-|FLANNEL-|CNI-)/;

/** One iptables command of the cleanup, in order. */
export type IptablesCleanup = string[];

/**
 * From `iptables-save` output: delete the rules that jump into Kubernetes chains or carry
 * a kumi comment, then flush and delete those chains. Other rules are never touched.
 */
export function iptablesCleanup(save: string): IptablesCleanup[] {
  const deletes: string[][] = [];
  const flushes: string[][] = [];
  const removals: string[][] = [];
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      continue;
    }
    if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0] ?? '';
      if (CLEANED_CHAIN.test(chain)) {
        flushes.push(['iptables', '-w', '-t', table, '-F', chain]);
        removals.push(['iptables', '-w', '-t', table, '-X', chain]);
      }
      continue;
    }
    if (!line.startsWith('-A ')) continue;
    const [, chain = '', ...rest] = tokenizeRule(line);
    if (CLEANED_CHAIN.test(chain)) continue;
    const target = /(?:^|\s)-[jg] (\S+)/.exec(line)?.[1] ?? '';
    if (CLEANED_CHAIN.test(target) || kumiCommentOf(line) !== undefined) deletes.push(['iptables', '-w', '-t', table, '-D', chain, ...rest]);
  }
  return [...deletes, ...flushes, ...removals];
}
