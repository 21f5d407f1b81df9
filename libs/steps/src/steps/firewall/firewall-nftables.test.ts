import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianFacts } from '../../testing/host-facts';
import type { SequenceJob, SequenceResult } from '../../testing/sequence-runner';
import type { TestNetns } from '../common/test-netns';
import { canUseNetns, createTestNetns } from '../common/test-netns';
import { modulePath, runSequenceInNetns } from '../../testing/test-sequence';
import { NFT_INCLUDE_FILE } from './nftables';

const cmd = (...argv: string[]): SequenceJob => ({ kind: 'cmd', argv });
/**
 * Listens on 127.0.0.1 (TCP 10250, UDP 30001) inside the namespace and reports whether a
 * connection and a datagram get through INPUT: loopback traffic crosses the input hook.
 * A rejected TCP connect ends at once (ECONNREFUSED from a TCP reset); the connect and the
 * datagram are awaited for at most 3 s each.
 */
const PROBE = `
const net = require('node:net');
const dgram = require('node:dgram');
const expectUdp = process.argv[2] === 'udp';
const result = {};
const server = net.createServer((socket) => socket.end()).listen(10250, '127.0.0.1', () => {
  const client = net.connect(10250, '127.0.0.1');
  client.setTimeout(3000, () => { result.tcp = 'timeout'; client.destroy(); server.close(); udp(); });
  client.once('connect', () => { result.tcp = 'open'; client.destroy(); server.close(); udp(); });
  client.once('error', (error) => { result.tcp = error.code; server.close(); udp(); });
});
function udp() {
  if (!expectUdp) return done();
  const receiver = dgram.createSocket('udp4');
  const timer = setTimeout(() => { result.udp = 'timeout'; receiver.close(); done(); }, 3000);
  receiver.once('message', () => { clearTimeout(timer); result.udp = 'open'; receiver.close(); done(); });
  receiver.bind(30001, '127.0.0.1', () => {
    const sender = dgram.createSocket('udp4');
    sender.send('x', 30001, '127.0.0.1', () => sender.close());
  });
}
function done() { process.stdout.write(JSON.stringify(result)); }
`;

const stepIn = (root: string): SequenceJob => ({
  kind: 'step',
  module: modulePath(import.meta.url, 'firewall.ts'),
  exportName: 'firewall',
  options: { root, facts: { ...debianFacts, firewall: 'nftables' }, params: { roles: ['worker'] }, dryRun: false },
});
const outcomeOf = (result: SequenceResult | undefined): { status?: string; reason?: string } => {
  if (result?.kind !== 'step' || result.error !== undefined) throw new Error(JSON.stringify(result));
  return result.outcome as { status?: string };
};

describe.skipIf(!canUseNetns())('firewall step, nftables, in a throwaway network namespace', () => {
  let netns: TestNetns | undefined;
  // Made in beforeAll: a skipped describe never runs its afterAll, so nothing may be created before.
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kumi-nft-root-'));
    netns = createTestNetns();
  });
  afterAll(() => {
    netns?.remove();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('accepts pod traffic before the reject found at run time, writes the boot include, and reruns as a noop', () => {
    const step = stepIn(root);
    const results = runSequenceInNetns(netns!.name, [
      cmd('nft', 'add', 'table', 'inet', 'filter'),
      cmd('nft', 'add chain inet filter forward { type filter hook forward priority 0; policy accept; }'),
      cmd('nft', 'add', 'rule', 'inet', 'filter', 'forward', 'ct', 'state', 'invalid', 'drop'),
      cmd('nft', 'add', 'rule', 'inet', 'filter', 'forward', 'reject'),
      cmd('nft', 'add', 'rule', 'inet', 'filter', 'forward', 'ip', 'saddr', '198.51.100.0/24', 'accept'),
      step,
      cmd('nft', 'list', 'chain', 'inet', 'filter', 'forward'),
      step,
    ]);
    expect(outcomeOf(results[5]).status).toBe('done');
    const listed = results[6]?.kind === 'cmd' ? results[6].stdout.split('\n').map((line) => line.trim()) : [];
    const at = (text: string): number => listed.findIndex((line) => line.startsWith(text));
    expect(at('ct state invalid drop')).toBeLessThan(at('ip saddr 10.244.0.0/16 accept'));
    expect(at('ip saddr 10.244.0.0/16 accept')).toBeLessThan(at('reject'));
    expect(at('ip daddr 10.244.0.0/16 accept')).toBeLessThan(at('reject'));
    expect(at('reject')).toBeLessThan(at('ip saddr 198.51.100.0/24 accept'));
    expect(outcomeOf(results[7])).toMatchObject({ status: 'noop' });
    const include = join(root, NFT_INCLUDE_FILE);
    expect(existsSync(include)).toBe(true);
    expect(readFileSync(include, 'utf8')).toContain('insert rule inet filter forward ip saddr 10.244.0.0/16 accept comment "kumi:pod-network-src:10.244.0.0/16"');
  });
});

describe.skipIf(!canUseNetns())('firewall step, nftables, next to iptables-nft (ip filter) in a throwaway network namespace', () => {
  let netns: TestNetns | undefined;
  let root = '';
  let probe = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kumi-nft-ipt-root-'));
    probe = join(root, 'probe.cjs');
    writeFileSync(probe, PROBE);
    netns = createTestNetns();
  });
  afterAll(() => {
    netns?.remove();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('opens the ports through both base chains at the input hook; iptables-nft still reads and saves its filter table exactly', () => {
    const step = stepIn(root);
    const results = runSequenceInNetns(netns!.name, [
      // iptables-nft's own table, as kube-proxy, flannel or Docker leave it, with a final REJECT ...
      cmd('iptables-nft', '-w', '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'),
      // (the probe's ports only: on loopback a wider REJECT would also drop its own reset)
      cmd('iptables-nft', '-w', '-A', 'INPUT', '-p', 'tcp', '--dport', '10250', '-j', 'REJECT', '--reject-with', 'tcp-reset'),
      cmd('iptables-nft', '-w', '-A', 'INPUT', '-p', 'udp', '--dport', '30001', '-j', 'REJECT'),
      // ... and the admin's native table, rejecting too.
      cmd('nft', 'add', 'table', 'inet', 'filter'),
      cmd('nft', 'add chain inet filter input { type filter hook input priority 10; policy accept; }'),
      cmd('nft', 'add', 'rule', 'inet', 'filter', 'input', 'tcp', 'dport', '10250', 'reject', 'with', 'tcp', 'reset'),
      cmd('node', probe, 'tcp'),
      step,
      cmd('iptables-nft', '-w', '-L', 'INPUT', '-n'),
      cmd('iptables-nft-save', '-t', 'filter'),
      cmd('nft', '-j', 'list', 'table', 'ip', 'filter'),
      cmd('node', probe, 'udp'),
      step,
    ]);
    const text = (index: number): string => (results[index]?.kind === 'cmd' ? (results[index] as { stdout: string }).stdout : '');
    expect(JSON.parse(text(6))).toEqual({ tcp: 'ECONNREFUSED' });
    expect(outcomeOf(results[7]).status).toBe('done');
    expect(text(8)).toMatch(/^ACCEPT .*multiport dports 10250,10256,30000:32767 \/\* kumi:ports-tcp \*\//m);
    const saved = text(9).split('\n').filter((line) => line.startsWith('-A INPUT'));
    expect(saved).toEqual([
      '-A INPUT -m conntrack --ctstate INVALID -j DROP',
      '-A INPUT -p tcp -m multiport --dports 10250,10256,30000:32767 -m comment --comment "kumi:ports-tcp" -j ACCEPT',
      '-A INPUT -p udp -m multiport --dports 30000:32767,8472 -m comment --comment "kumi:ports-udp" -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 10250 -j REJECT --reject-with tcp-reset',
      '-A INPUT -p udp -m udp --dport 30001 -j REJECT --reject-with icmp-port-unreachable',
    ]);
    // No native rule (a rule comment is nft's; iptables-nft keeps its comments in an xt match).
    const ipFilterRules = (JSON.parse(text(10)) as { nftables: { rule?: { comment?: string } }[] }).nftables.filter((item) => item.rule !== undefined);
    expect(ipFilterRules.filter((item) => item.rule?.comment !== undefined)).toEqual([]);
    expect(JSON.parse(text(11))).toEqual({ tcp: 'open', udp: 'open' });
    expect(outcomeOf(results[12])).toMatchObject({ status: 'noop' });
    const include = readFileSync(join(root, NFT_INCLUDE_FILE), 'utf8');
    expect(include).toContain('insert rule inet filter input tcp dport');
    expect(include).not.toContain('ip filter');
  });
});
