/** A rule of an iptables chain, as `iptables -S CHAIN` prints it (without "-A CHAIN"). */
export interface ChainRule {
  /** 1-based rule number in the chain. */
  number: number;
  spec: string;
}

/** A rule kumi keeps, identified by its comment "kumi:<name>". */
export interface KumiRule {
  chain: 'INPUT' | 'FORWARD';
  /** Comment, e.g. "kumi:pod-network-src". */
  comment: string;
  /** Arguments after "-A CHAIN", exactly as iptables prints them back. */
  args: string[];
}

/** The rules of a chain from `iptables -S CHAIN` (policy lines skipped). */
export function parseChain(output: string, chain: string): ChainRule[] {
  const prefix = `-A ${chain} `;
  return output
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line, index) => ({ number: index + 1, spec: line.slice(prefix.length).trim() }));
}

/** The printed form of a rule's arguments (iptables quotes comments). */
export function printedSpec(args: readonly string[]): string {
  return args.map((arg, index) => (args[index - 1] === '--comment' ? `"${arg}"` : arg)).join(' ');
}

/** Splits a printed rule into argv, honouring double quotes. */
export function tokenizeRule(spec: string): string[] {
  const tokens: string[] = [];
  for (const match of spec.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) tokens.push(match[1] ?? match[2] ?? '');
  return tokens;
}

/** The kumi comment of a printed rule, if it has one. */
export function kumiCommentOf(spec: string): string | undefined {
  return /--comment "?(kumi:[^"\s]+)"?/.exec(spec)?.[1];
}

/**
 * Whether a rule ends the chain for the traffic kumi lets through: any REJECT, or a DROP
 * without conditions (a conditional DROP such as "ct state INVALID" stays in front).
 */
export function isRejecting(spec: string): boolean {
  return /(^|\s)-j REJECT(\s|$)/.test(spec) || spec.trim() === '-j DROP';
}

/** One change to a chain, in the order it must run. */
export type ChainChange =
  | { op: 'delete'; chain: string; args: string[] }
  | { op: 'insert'; chain: string; position: number; args: string[] }
  | { op: 'append'; chain: string; args: string[] };

/**
 * The changes that put `wanted` (in order) before the chain's first REJECT/DROP (found in
 * `rules`, i.e. at run time), or at its end when it has none. Kumi rules in the wrong
 * place or with other arguments are deleted first; anything else is never touched.
 */
export function chainChanges(chain: string, rules: readonly ChainRule[], wanted: readonly KumiRule[]): ChainChange[] {
  const wantedSpecs = new Map(wanted.map((rule) => [rule.comment, printedSpec(rule.args)]));
  const firstReject = rules.find((rule) => kumiCommentOf(rule.spec) === undefined && isRejecting(rule.spec))?.number;
  const keep = new Set<string>();
  const deletions: ChainRule[] = [];
  for (const rule of rules) {
    const comment = kumiCommentOf(rule.spec);
    if (comment === undefined) continue;
    const inPlace = firstReject === undefined || rule.number < firstReject;
    if (wantedSpecs.get(comment) === rule.spec && inPlace && !keep.has(comment)) keep.add(comment);
    else deletions.push(rule);
  }
  const changes: ChainChange[] = deletions.map((rule) => ({ op: 'delete', chain, args: tokenizeRule(rule.spec) }));
  const missing = wanted.filter((rule) => !keep.has(rule.comment));
  if (missing.length === 0) return changes;
  if (firstReject === undefined) return [...changes, ...missing.map((rule): ChainChange => ({ op: 'append', chain, args: rule.args }))];
  const deletedBefore = deletions.filter((rule) => rule.number < firstReject).length;
  const position = firstReject - deletedBefore;
  return [...changes, ...missing.map((rule, index): ChainChange => ({ op: 'insert', chain, position: position + index, args: rule.args }))];
}

/** The argv of a change, for iptables or a named variant of it (iptables-nft). */
export function changeArgv(change: ChainChange, binary: 'iptables' | 'iptables-nft' = 'iptables'): string[] {
  switch (change.op) {
    case 'delete':
      return [binary, '-w', '-D', change.chain, ...change.args];
    case 'insert':
      return [binary, '-w', '-I', change.chain, String(change.position), ...change.args];
    case 'append':
      return [binary, '-w', '-A', change.chain, ...change.args];
  }
}
