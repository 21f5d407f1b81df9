import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { SequenceJob, SequenceResult } from '../../testing/sequence-runner';
import type { TestNetns } from '../common/test-netns';
import { canUseNetns, createTestNetns } from '../common/test-netns';
import { modulePath, runSequenceInNetns } from '../../testing/test-sequence';
import { iptablesCleanup } from './iptables-cleanup';
import type { KubeadmResetFacts } from './kubeadm-reset';
import { kubeadmReset } from './kubeadm-reset';
import { kubeadmResetParams } from './params';

const params = kubeadmResetParams.parse({});
const clean: KubeadmResetFacts = {
  kubeadmInstalled: true,
  kubeadmState: false,
  cniFiles: [],
  flannelSubnetEnv: false,
  links: [],
  iptables: [],
  savedRules: [],
  nftRules: [],
  nftInclude: undefined,
  firewalld: { zone: 'public', ports: [], richRules: [], trustedInterfaces: [], trustedSources: [] },
  firewalldRecord: false,
  kubeconfig: false,
};
const lines = (facts: KubeadmResetFacts): string[] => kubeadmReset.plan(facts, params, {}).actions.map((a) => describeAction(a).split('  #')[0] ?? '');

describe('kubeadm.reset plan', () => {
  it('a used control plane: kubeadm reset, then links, CNI config, rules, trusted zone and kubeconfig', () => {
    expect(
      lines({
        ...clean,
        kubeadmState: true,
        cniFiles: ['/etc/cni/net.d/10-flannel.conflist'],
        flannelSubnetEnv: true,
        links: ['cni0', 'flannel.1'],
        iptables: [['iptables', '-w', '-t', 'nat', '-F', 'KUBE-SERVICES']],
        savedRules: ['/etc/sysconfig/iptables'],
        nftInclude: 'insert rule ...\n',
        firewalld: { zone: 'public', ports: ['6443/tcp', '8472/udp'], richRules: [], trustedInterfaces: ['cni0', 'flannel.1'], trustedSources: ['10.244.0.0/16'] },
        firewalldRecord: true,
        kubeconfig: true,
      }),
    ).toEqual([
      'run kubeadm reset -f --cri-socket unix:///var/run/containerd/containerd.sock',
      'run ip link delete cni0',
      'run ip link delete flannel.1',
      'remove /etc/cni/net.d/10-flannel.conflist',
      'remove /run/flannel/subnet.env',
      'run iptables -w -t nat -F KUBE-SERVICES',
      'run iptables-save -f /etc/sysconfig/iptables',
      'write /etc/nftables.kumi.nft',
      'run firewall-cmd --permanent --zone=public --remove-port=6443/tcp --remove-port=8472/udp',
      'run firewall-cmd --permanent --zone=trusted --remove-interface=cni0 --remove-interface=flannel.1',
      'run firewall-cmd --permanent --zone=trusted --remove-source=10.244.0.0/16',
      'run firewall-cmd --reload',
      'remove /var/lib/kumi/firewalld-added.json',
      'remove /root/.kube/config',
    ]);
  });

  it('firewalld: only what kumi recorded and still finds is removed', async () => {
    const host = fakeHost(debianFacts, { '/var/lib/kumi/firewalld-added.json': JSON.stringify({ zone: 'public', ports: ['6443/tcp', '10250/tcp'], richRules: [], trustedInterfaces: ['cni0'], trustedSources: ['10.244.0.0/16'] }) }, {
      'firewall-cmd --state': 'running\n',
      'firewall-cmd --permanent --zone=public --list-ports': '22/tcp 6443/tcp\n',
      'firewall-cmd --permanent --zone=public --list-rich-rules': '',
      'firewall-cmd --permanent --zone=trusted --list-interfaces': 'cni0 eth9\n',
      'firewall-cmd --permanent --zone=trusted --list-sources': '10.244.0.0/16 192.168.50.0/24\n',
    });
    const facts = await kubeadmReset.check(host, params, {});
    expect(lines(facts)).toEqual([
      'run firewall-cmd --permanent --zone=public --remove-port=6443/tcp',
      'run firewall-cmd --permanent --zone=trusted --remove-interface=cni0',
      'run firewall-cmd --permanent --zone=trusted --remove-source=10.244.0.0/16',
      'run firewall-cmd --reload',
      'remove /var/lib/kumi/firewalld-added.json',
    ]);
  });

  it('a clean host is a noop with its reason', () => {
    expect(kubeadmReset.plan(clean, params, {})).toEqual({ actions: [], noop: 'nothing of Kubernetes is left on this host' });
  });

  it('iptables cleanup deletes jumps into KUBE-/FLANNEL- chains and kumi rules, then the chains, and nothing else', () => {
    const save = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':KUBE-SERVICES - [0:0]',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A PREROUTING -d 203.0.113.0/24 -j ACCEPT',
      '-A KUBE-SERVICES -j RETURN',
      'COMMIT',
      '*filter',
      ':FORWARD ACCEPT [0:0]',
      ':FLANNEL-FWD - [0:0]',
      '-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD',
      '-A FORWARD -s 10.244.0.0/16 -m comment --comment "kumi:pod-network-src" -j ACCEPT',
      '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
      'COMMIT',
    ].join('\n');
    expect(iptablesCleanup(save).map((argv) => argv.join(' '))).toEqual([
      'iptables -w -t nat -D PREROUTING -m comment --comment kubernetes service portals -j KUBE-SERVICES',
      'iptables -w -t filter -D FORWARD -m comment --comment flanneld forward -j FLANNEL-FWD',
      'iptables -w -t filter -D FORWARD -s 10.244.0.0/16 -m comment --comment kumi:pod-network-src -j ACCEPT',
      'iptables -w -t nat -F KUBE-SERVICES',
      'iptables -w -t filter -F FLANNEL-FWD',
      'iptables -w -t nat -X KUBE-SERVICES',
      'iptables -w -t filter -X FLANNEL-FWD',
    ]);
  });
});

/** firewalld answers over D-Bus even inside a network namespace: never let the test touch a real one. */
function firewalldRunning(): boolean {
  try {
    execFileSync('firewall-cmd', ['--state'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!canUseNetns() || firewalldRunning())('kubeadm.reset against real iptables in a throwaway network namespace', () => {
  let netns: TestNetns | undefined;
  // Made in beforeAll: a skipped describe still runs its body but never its afterAll.
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kumi-reset-root-'));
    netns = createTestNetns();
    mkdirSync(join(root, 'etc/cni/net.d'), { recursive: true });
    writeFileSync(join(root, 'etc/cni/net.d/10-flannel.conflist'), '{}');
  });
  afterAll(() => {
    netns?.remove();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('removes Kubernetes and kumi rules and CNI config, keeps the rest, and reruns as a noop', () => {
    const cmd = (...argv: string[]): SequenceJob => ({ kind: 'cmd', argv });
    const step: SequenceJob = { kind: 'step', module: modulePath(import.meta.url, 'kubeadm-reset.ts'), exportName: 'kubeadmReset', options: { root, facts: debianFacts, params: {}, dryRun: false } };
    const results: SequenceResult[] = runSequenceInNetns(netns!.name, [
      cmd('iptables', '-w', '-t', 'nat', '-N', 'KUBE-SERVICES'),
      cmd('iptables', '-w', '-t', 'nat', '-A', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'),
      cmd('iptables', '-w', '-N', 'FLANNEL-FWD'),
      cmd('iptables', '-w', '-A', 'FORWARD', '-j', 'FLANNEL-FWD'),
      cmd('iptables', '-w', '-A', 'FORWARD', '-s', '10.244.0.0/16', '-m', 'comment', '--comment', 'kumi:pod-network-src', '-j', 'ACCEPT'),
      cmd('iptables', '-w', '-A', 'FORWARD', '-d', '203.0.113.0/24', '-j', 'ACCEPT'),
      step,
      cmd('iptables-save'),
      step,
    ]);
    const first = results[6];
    expect(first?.kind === 'step' && first.error).toBeFalsy();
    expect(first?.kind === 'step' ? first.outcome : undefined).toMatchObject({ status: 'done' });
    const saved = results[7]?.kind === 'cmd' ? results[7].stdout : '';
    expect(saved).not.toMatch(/KUBE-|FLANNEL-|kumi:/);
    expect(saved).toContain('-A FORWARD -d 203.0.113.0/24 -j ACCEPT');
    expect(results[8]?.kind === 'step' ? results[8].outcome : undefined).toEqual({ status: 'noop', reason: 'nothing of Kubernetes is left on this host', outputs: {} });
  });
});
