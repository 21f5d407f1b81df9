import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
