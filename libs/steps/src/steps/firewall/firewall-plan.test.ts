import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { FirewallFacts } from './firewall';
import { firewall } from './firewall';
import type { FirewalldView } from './firewalld';
import type { IptablesFacts } from './iptables';
import { parseChain } from './iptables-rules';
import { parseNftRuleset } from './nftables';
import { firewallParams } from './params';

const controlPlane = firewallParams.parse({ roles: ['control-plane'] });
const loadBalancer = firewallParams.parse({ roles: ['load-balancer'], lbFrontendPort: 8443 });
const lines = (facts: FirewallFacts, params = controlPlane): string[] =>
  firewall.plan(facts, params, {}).actions.map((action) => describeAction(action).split('  #')[0] ?? '');

const emptyView: FirewalldView = { ports: ['22/tcp'], richRules: [], trustedInterfaces: [], trustedSources: [] };
const cpView: FirewalldView = {
  ports: ['22/tcp', '6443/tcp', '2379-2380/tcp', '10250/tcp', '10257/tcp', '10259/tcp', '8472/udp'],
  richRules: [],
  trustedInterfaces: ['cni0', 'flannel.1'],
  trustedSources: ['10.244.0.0/16', '10.96.0.0/12'],
};

describe('firewall with firewalld', () => {
  it('first run: permanent ports, trusted pod interfaces and CIDRs (one kind of option per firewall-cmd), one reload', () => {
    expect(lines({ backend: 'firewalld', zone: 'public', permanent: emptyView, runtime: emptyView, record: undefined })).toEqual([
      'run firewall-cmd --permanent --zone=public --add-port=6443/tcp --add-port=2379-2380/tcp --add-port=10250/tcp --add-port=10257/tcp --add-port=10259/tcp --add-port=8472/udp',
      'run firewall-cmd --permanent --zone=trusted --change-interface=cni0 --change-interface=flannel.1',
      'run firewall-cmd --permanent --zone=trusted --add-source=10.244.0.0/16 --add-source=10.96.0.0/12',
      'write /var/lib/kumi/firewalld-added.json',
      'run firewall-cmd --reload',
    ]);
  });

  it('records only what kumi added (22/tcp was there before), merged with earlier additions', () => {
    const earlier = { zone: 'public', ports: ['9100/tcp'], richRules: [], trustedInterfaces: [], trustedSources: [] };
    const plan = firewall.plan({ backend: 'firewalld', zone: 'public', permanent: emptyView, runtime: emptyView, record: earlier }, controlPlane, {});
    const write = plan.actions.find((action) => action.kind === 'write');
    expect(JSON.parse(write?.kind === 'write' ? String(write.content) : '{}')).toEqual({
      zone: 'public',
      ports: ['9100/tcp', '6443/tcp', '2379-2380/tcp', '10250/tcp', '10257/tcp', '10259/tcp', '8472/udp'],
      richRules: [],
      trustedInterfaces: ['cni0', 'flannel.1'],
      trustedSources: ['10.244.0.0/16', '10.96.0.0/12'],
    });
  });

  it('load balancer: frontend port and the VRRP rich rule, no pod networking', () => {
    expect(lines({ backend: 'firewalld', zone: 'public', permanent: emptyView, runtime: emptyView, record: undefined }, loadBalancer)).toEqual([
      'run firewall-cmd --permanent --zone=public --add-port=8443/tcp',
      'run firewall-cmd --permanent --zone=public --add-rich-rule=rule protocol value="vrrp" accept',
      'write /var/lib/kumi/firewalld-added.json',
      'run firewall-cmd --reload',
    ]);
  });

  it('second run is a noop with its reason', () => {
    const plan = firewall.plan({ backend: 'firewalld', zone: 'public', permanent: cpView, runtime: cpView, record: undefined }, controlPlane, {});
    expect(plan.actions).toEqual([]);
    expect(plan.noop).toMatch(/^firewalld zone public already opens 6443\/tcp .* trusted zone holds cni0, flannel.1, 10.244.0.0\/16, 10.96.0.0\/12$/);
  });

  it('drift: a port removed by hand is added back alone; a runtime-only loss just reloads', () => {
    const lost = { ...cpView, ports: cpView.ports.filter((port) => port !== '10250/tcp') };
    expect(lines({ backend: 'firewalld', zone: 'public', permanent: lost, runtime: lost, record: undefined })).toEqual([
      'run firewall-cmd --permanent --zone=public --add-port=10250/tcp',
      'write /var/lib/kumi/firewalld-added.json',
      'run firewall-cmd --reload',
    ]);
    expect(lines({ backend: 'firewalld', zone: 'public', permanent: cpView, runtime: lost, record: undefined })).toEqual(['run firewall-cmd --reload']);
  });

  it('check reads the default zone, permanent and runtime views', async () => {
    const list = (permanent: string) => ({
      [`firewall-cmd ${permanent}--zone=public --list-ports`]: cpView.ports.join(' '),
      [`firewall-cmd ${permanent}--zone=public --list-rich-rules`]: '',
      [`firewall-cmd ${permanent}--zone=trusted --list-interfaces`]: 'cni0 flannel.1',
      [`firewall-cmd ${permanent}--zone=trusted --list-sources`]: '10.244.0.0/16 10.96.0.0/12',
    });
    const host = fakeHost(rhelFacts, {}, {
      'firewall-cmd --state': 'running\n',
      'firewall-cmd --get-default-zone': 'public\n',
      ...list('--permanent '),
      ...list(''),
    });
    const facts = await firewall.check(host, firewallParams.parse({ roles: ['control-plane'] }), {});
    expect(facts).toEqual({ backend: 'firewalld', zone: 'public', permanent: cpView, runtime: cpView, record: undefined });
  });

  it('fails with a fix when firewalld is not running', async () => {
    const host = fakeHost(rhelFacts, {}, { 'firewall-cmd --state': { exitCode: 252, stdout: 'not running\n' } });
    await expect(firewall.check(host, controlPlane, {})).rejects.toThrow(/firewalld is not running.*Fix: start it/);
  });

  // Debian and RHEL start firewalld with --nopid: facts may only see its nftables table.
  const firewalldTable = JSON.stringify({
    nftables: [{ chain: { family: 'inet', table: 'firewalld', name: 'filter_INPUT', hook: 'input', type: 'filter' } }],
  });

  it('auto takes a running firewalld even when the facts report nftables', async () => {
    const host = fakeHost({ ...debianFacts, firewall: 'nftables' }, {}, {
      'firewall-cmd --state': 'running\n',
      'firewall-cmd --get-default-zone': 'public\n',
      'nft -j list ruleset': firewalldTable,
    });
    expect(await firewall.check(host, controlPlane, {})).toMatchObject({ backend: 'firewalld', zone: 'public' });
  });

  it('backend nftables refuses to insert into the table firewalld rewrites on reload', async () => {
    const host = fakeHost(debianFacts, {}, { 'nft -j list ruleset': firewalldTable });
    await expect(firewall.check(host, firewallParams.parse({ roles: ['worker'], backend: 'nftables' }), {})).rejects.toThrow(
      /firewalld owns the nftables ruleset .*table inet firewalld.*Fix: choose firewall backend firewalld/,
    );
  });
});

describe('firewall with plain iptables (pure plan)', () => {
  const facts = (packages: 'apt' | 'dnf', forward: string[]): IptablesFacts => ({
    backend: 'iptables',
    packages,
    chains: { INPUT: [], FORWARD: forward.map((spec, index) => ({ number: index + 1, spec })) },
    saveFile: packages === 'apt' ? '/etc/iptables/rules.v4' : '/etc/sysconfig/iptables',
    saved: undefined,
    loaderInstalled: false,
    loader: { active: false, enabled: false },
  });

  it('Debian first run: rules, the boot loader package, save, enable the loader', () => {
    expect(lines(facts('apt', ['-j FORWARD_direct', '-j REJECT --reject-with icmp-host-prohibited']))).toEqual([
      'run iptables -w -A INPUT -p tcp -m multiport --dports 6443,2379:2380,10250,10257,10259 -m comment --comment kumi:ports-tcp -j ACCEPT',
      'run iptables -w -A INPUT -p udp -m multiport --dports 8472 -m comment --comment kumi:ports-udp -j ACCEPT',
      'run iptables -w -I FORWARD 2 -s 10.244.0.0/16 -m comment --comment kumi:pod-network-src -j ACCEPT',
      'run iptables -w -I FORWARD 3 -d 10.244.0.0/16 -m comment --comment kumi:pod-network-dst -j ACCEPT',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages iptables-persistent',
      'run iptables-save -f /etc/iptables/rules.v4',
      'run systemctl enable netfilter-persistent',
    ]);
  });

  it('RHEL first run saves to /etc/sysconfig/iptables with iptables-services', () => {
    expect(lines(facts('dnf', [])).slice(-3)).toEqual([
      'run dnf install -y iptables-services',
      'run iptables-save -f /etc/sysconfig/iptables',
      'run systemctl enable iptables',
    ]);
  });

  it('a conditional DROP stays in front; a bare DROP counts as the end of the chain', () => {
    const planned = lines(facts('apt', ['-m conntrack --ctstate INVALID -j DROP', '-j DROP']));
    expect(planned).toContain('run iptables -w -I FORWARD 2 -s 10.244.0.0/16 -m comment --comment kumi:pod-network-src -j ACCEPT');
  });
});

describe('firewall with nftables (pure plan)', () => {
  const chain = (rules: { handle: number; comment?: string; rejecting: boolean }[]) => ({
    family: 'inet', table: 'filter', name: 'forward', hook: 'forward' as const, owner: 'nft' as const, rules: rules.map((rule) => ({ comment: undefined, ...rule })),
  });
  const worker = firewallParams.parse({ roles: ['worker'] });

  it.each([
    ['apt', '/etc/nftables.conf'],
    ['dnf', '/etc/sysconfig/nftables.conf'],
  ] as const)('%s: inserts before the reject handle, writes the boot include and hooks it in', (packages, conf) => {
    const planned = lines({ backend: 'nftables', packages, chains: [chain([{ handle: 2, rejecting: false }, { handle: 3, rejecting: true }])], iptablesChains: {}, mainConf: 'flush ruleset\n', includeFile: undefined }, worker);
    expect(planned).toEqual([
      'run nft insert rule inet filter forward position 3 ip saddr 10.244.0.0/16 accept comment "kumi:pod-network-src:10.244.0.0/16"',
      'run nft insert rule inet filter forward position 3 ip daddr 10.244.0.0/16 accept comment "kumi:pod-network-dst:10.244.0.0/16"',
      'write /etc/nftables.kumi.nft',
      `write ${conf}`,
    ]);
  });

  it("iptables-nft's ip filter INPUT: changed through iptables-nft only, an older kumi's native rule deleted by handle, no boot include for it", () => {
    const input = {
      family: 'ip', table: 'filter', name: 'INPUT', hook: 'input' as const, owner: 'iptables-nft' as const,
      rules: [
        { handle: 7, comment: 'kumi:ports-tcp:10250,10256,30000-32767', rejecting: false },
        { handle: 2, comment: undefined, rejecting: false },
        { handle: 3, comment: undefined, rejecting: true },
      ],
    };
    const listed = ['-A INPUT -p tcp -m comment --comment "kumi:ports-tcp:10250,10256,30000-32767" -j ACCEPT', '-A INPUT -i lo -j ACCEPT', '-A INPUT -j REJECT --reject-with icmp-port-unreachable'];
    const facts: FirewallFacts = { backend: 'nftables', packages: 'apt', chains: [input], iptablesChains: { INPUT: parseChain(listed.join('\n'), 'INPUT') }, mainConf: 'flush ruleset\n', includeFile: undefined };
    expect(lines(facts, worker)).toEqual([
      'run nft delete rule ip filter INPUT handle 7',
      'run iptables-nft -w -I INPUT 2 -p tcp -m multiport --dports 10250,10256,30000:32767 -m comment --comment kumi:ports-tcp -j ACCEPT',
      'run iptables-nft -w -I INPUT 3 -p udp -m multiport --dports 30000:32767,8472 -m comment --comment kumi:ports-udp -j ACCEPT',
    ]);
  });

  it('parses ownership: ip filter/INPUT is iptables-nft\'s, inet filter/input and ip kumi tables are native', () => {
    const ruleset = JSON.stringify({
      nftables: [
        { chain: { family: 'ip', table: 'filter', name: 'INPUT', hook: 'input', type: 'filter' } },
        { chain: { family: 'inet', table: 'filter', name: 'input', hook: 'input', type: 'filter' } },
        { chain: { family: 'ip', table: 'mine', name: 'fwd', hook: 'forward', type: 'filter' } },
      ],
    });
    expect(parseNftRuleset(ruleset).map((chain) => `${chain.family} ${chain.table} ${chain.name}: ${chain.owner}`)).toEqual([
      'ip filter INPUT: iptables-nft',
      'inet filter input: nft',
      'ip mine fwd: nft',
    ]);
  });

  it('no filter chain: nothing to open, noop with the reason', () => {
    expect(firewall.plan({ backend: 'nftables', packages: 'apt', chains: [], iptablesChains: {}, mainConf: undefined, includeFile: undefined }, worker, {}).noop).toBe(
      "no nftables filter chain hooks input or forward: nothing blocks the cluster's traffic",
    );
  });
});

it('backend none is a noop on both families', async () => {
  for (const facts of [debianFacts, rhelFacts]) {
    const params = firewallParams.parse({ roles: ['worker'], backend: 'none' });
    const checked = await firewall.check(fakeHost(facts), params, {});
    expect(firewall.plan(checked, params, {}).noop).toBe('firewall backend is "none": kumi leaves the firewall alone');
  }
});

describe('NodePorts 30000-32767 open for TCP and UDP (kubernetes.io Ports and Protocols, worker nodes)', () => {
  const worker = firewallParams.parse({ roles: ['worker'] });
  const planned = (facts: FirewallFacts): string => lines(facts, worker).join('\n');
  it.each([
    ['firewalld', { backend: 'firewalld', zone: 'public', permanent: emptyView, runtime: emptyView, record: undefined } as FirewallFacts, ['--add-port=30000-32767/tcp', '--add-port=30000-32767/udp']],
    [
      'iptables',
      { backend: 'iptables', packages: 'apt', chains: { INPUT: [], FORWARD: [] }, saveFile: '/etc/iptables/rules.v4', saved: undefined, loaderInstalled: true, loader: { active: true, enabled: true } } as FirewallFacts,
      ['-p tcp -m multiport --dports 10250,10256,30000:32767 ', '-p udp -m multiport --dports 30000:32767,8472 '],
    ],
    [
      'nftables',
      { backend: 'nftables', packages: 'apt', chains: [{ family: 'inet', table: 'filter', name: 'input', hook: 'input', owner: 'nft', rules: [] }], iptablesChains: {}, mainConf: undefined, includeFile: undefined } as FirewallFacts,
      ['tcp dport { 10250, 10256, 30000-32767 } accept', 'udp dport { 30000-32767, 8472 } accept'],
    ],
  ] as const)('%s', (_backend, facts, expected) => {
    for (const text of expected) expect(planned(facts)).toContain(text);
  });
});
