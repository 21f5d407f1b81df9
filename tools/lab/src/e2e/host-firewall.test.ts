import { describe, expect, it } from 'vitest';
import { describeFirewallChange, nftRuleLines } from './host-firewall';

const RULESET = `table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		tcp dport { 10250, 10256 } counter packets 3 bytes 180 accept comment "kumi:ports-tcp:10250,10256"
	}
	chain output {
		type filter hook output priority filter;
	}
}
`;

describe("the demo's firewall summary", () => {
  it('reads nft rules per table and chain, with base-chain policies and without counters', () => {
    expect(nftRuleLines(RULESET)).toEqual([
      'inet filter input: policy drop',
      'inet filter input: iif "lo" accept',
      'inet filter input: tcp dport { 10250, 10256 } accept comment "kumi:ports-tcp:10250,10256"',
      'inet filter output: policy accept',
    ]);
  });

  it('names the firewall and lists what was added and removed', () => {
    const before = { kind: 'firewalld' as const, rules: ['public: service ssh', 'public: port 22/tcp'] };
    const after = { kind: 'firewalld' as const, rules: ['public: service ssh', 'public: port 6443/tcp'] };
    expect(describeFirewallChange(before, after)).toBe('firewalld; kumi changed:\n      + public: port 6443/tcp\n      - public: port 22/tcp');
    expect(describeFirewallChange(before, before)).toBe('firewalld: unchanged');
    expect(describeFirewallChange({ kind: 'none', rules: [] }, { kind: 'none', rules: [] })).toMatch(/^none/);
  });
});
