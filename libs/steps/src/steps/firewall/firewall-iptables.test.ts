import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianFacts } from '../../testing/host-facts';
import type { SequenceJob, SequenceResult } from '../../testing/sequence-runner';
import type { TestNetns } from '../common/test-netns';
import { canUseNetns, createTestNetns } from '../common/test-netns';
import { modulePath, runSequenceInNetns } from '../../testing/test-sequence';

// Made in beforeAll: a skipped describe never runs its afterAll, so nothing may be created before.
let dir = '';
let saveFile = '';
const step = (): SequenceJob => ({
  kind: 'step',
  module: modulePath(import.meta.url, 'firewall.ts'),
  exportName: 'firewall',
  options: {
    root: '/',
    facts: { ...debianFacts, firewall: 'iptables' },
    params: { backend: 'iptables', roles: ['worker'], iptables: { saveFile, installLoader: false } },
    dryRun: false,
  },
});
const cmd = (...argv: string[]): SequenceJob => ({ kind: 'cmd', argv });
const forward = (): SequenceJob => cmd('iptables', '-w', '-S', 'FORWARD');

/** FORWARD with N-1 other rules, a REJECT at position N, and one rule after it. */
function chainWithRejectAt(n: number): SequenceJob[] {
  const jobs = [cmd('iptables', '-w', '-F', 'FORWARD'), cmd('iptables', '-w', '-F', 'INPUT')];
  for (let i = 1; i < n; i += 1) jobs.push(cmd('iptables', '-w', '-A', 'FORWARD', '-s', `192.0.2.${i}/32`, '-j', 'ACCEPT'));
  jobs.push(cmd('iptables', '-w', '-A', 'FORWARD', '-j', 'REJECT', '--reject-with', 'icmp-host-prohibited'));
  jobs.push(cmd('iptables', '-w', '-A', 'FORWARD', '-d', '198.51.100.0/24', '-j', 'ACCEPT'));
  jobs.push(cmd('iptables', '-w', '-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT'));
  jobs.push(cmd('iptables', '-w', '-A', 'INPUT', '-j', 'REJECT'));
  return jobs;
}

const rulesOf = (result: SequenceResult | undefined): string[] =>
  result?.kind === 'cmd' ? result.stdout.split('\n').filter((line) => line.startsWith('-A ')) : [];
const outcomeOf = (result: SequenceResult | undefined): { status?: string; reason?: string; planned?: string[] } => {
  if (result?.kind !== 'step') throw new Error('expected a step result');
  if (result.error !== undefined) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.outcome as { status?: string };
};

const SCENARIO_LENGTH = (n: number): number => chainWithRejectAt(n).length + 5;
const REJECT_POSITIONS = [1, 3, 6];
const src = ['-s', '10.244.0.0/16', '-m', 'comment', '--comment', 'kumi:pod-network-src', '-j', 'ACCEPT'];
const driftJobs = (): SequenceJob[] => [
  ...chainWithRejectAt(3),
  step(),
  cmd('iptables', '-w', '-D', 'FORWARD', ...src),
  cmd('iptables', '-w', '-A', 'FORWARD', ...src),
  forward(),
  step(),
  forward(),
  step(),
];

describe.skipIf(!canUseNetns())('firewall step, plain iptables, in a throwaway network namespace', () => {
  let netns: TestNetns | undefined;
  let results: SequenceResult[] = [];
  // One child process runs every scenario in order (each starts from flushed chains): starting
  // tsx once per scenario would cost seconds each on a shared machine.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kumi-iptables-'));
    saveFile = join(dir, 'rules.v4');
    netns = createTestNetns();
    const jobs = REJECT_POSITIONS.flatMap((n) => [...chainWithRejectAt(n), step(), forward(), cmd('iptables', '-w', '-S', 'INPUT'), step(), forward()]);
    results = runSequenceInNetns(netns.name, [...jobs, ...driftJobs()]);
  });
  afterAll(() => {
    netns?.remove();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it.each(REJECT_POSITIONS)('with a REJECT at FORWARD position %i the pod-CIDR ACCEPTs land before it; a rerun is a noop', (n) => {
    const end = REJECT_POSITIONS.slice(0, REJECT_POSITIONS.indexOf(n) + 1).reduce((sum, m) => sum + SCENARIO_LENGTH(m), 0);
    const mine = results.slice(0, end);
    const first = outcomeOf(mine.at(-5));
    expect(first.status).toBe('done');
    const rules = rulesOf(mine.at(-4));
    const reject = rules.findIndex((rule) => rule.includes('-j REJECT'));
    const srcAt = rules.indexOf('-A FORWARD -s 10.244.0.0/16 -m comment --comment "kumi:pod-network-src" -j ACCEPT');
    const dstAt = rules.indexOf('-A FORWARD -d 10.244.0.0/16 -m comment --comment "kumi:pod-network-dst" -j ACCEPT');
    expect(srcAt).toBeGreaterThanOrEqual(0);
    expect(dstAt).toBeGreaterThanOrEqual(0);
    expect(srcAt).toBeLessThan(reject);
    expect(dstAt).toBeLessThan(reject);
    // Nothing else moved: the other rules keep their order around kumi's.
    expect(rules.filter((rule) => !rule.includes('kumi:'))).toEqual([
      ...Array.from({ length: n - 1 }, (_, i) => `-A FORWARD -s 192.0.2.${i + 1}/32 -j ACCEPT`),
      '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
      '-A FORWARD -d 198.51.100.0/24 -j ACCEPT',
    ]);
    expect(reject).toBe(n - 1 + 2);
    const input = rulesOf(mine.at(-3));
    expect(input.findIndex((rule) => rule.includes('kumi:ports-tcp'))).toBeLessThan(input.findIndex((rule) => rule.includes('-j REJECT')));
    expect(input.some((rule) => rule.includes('--dports 10250,10256,30000:32767'))).toBe(true);
    expect(input.some((rule) => rule.includes('kumi:ports-udp') && rule.includes('--dports 30000:32767,8472'))).toBe(true);
    const second = outcomeOf(mine.at(-2));
    expect(second).toMatchObject({ status: 'noop' });
    expect(second.reason).toMatch(/already has kumi's 4 rules before the first REJECT\/DROP/);
    expect(rulesOf(mine.at(-1))).toEqual(rules);
    expect(readFileSync(saveFile, 'utf8')).toContain('-A FORWARD -s 10.244.0.0/16 -m comment --comment "kumi:pod-network-src" -j ACCEPT');
  });

  it('a kumi rule moved behind the REJECT by hand is put back before it, touching nothing else', () => {
    const drift = results.slice(-driftJobs().length);
    const drifted = rulesOf(drift.at(-4));
    expect(drifted.at(-1)).toContain('kumi:pod-network-src');
    const repair = outcomeOf(drift.at(-3));
    expect(repair.status).toBe('done');
    expect(repair.planned?.map((line) => line.split('  #')[0])).toEqual([
      'run iptables -w -D FORWARD -s 10.244.0.0/16 -m comment --comment kumi:pod-network-src -j ACCEPT',
      'run iptables -w -I FORWARD 4 -s 10.244.0.0/16 -m comment --comment kumi:pod-network-src -j ACCEPT',
      `run iptables-save -f ${saveFile}`,
    ]);
    const repaired = rulesOf(drift.at(-2));
    expect(repaired.findIndex((rule) => rule.includes('kumi:pod-network-src'))).toBeLessThan(repaired.findIndex((rule) => rule.includes('-j REJECT')));
    expect(outcomeOf(drift.at(-1)).status).toBe('noop');
  });
});
