import type { HostFacts } from '@kumi/steps';
import { describe, expect, it } from 'vitest';
import { FactsCache, type GatherReason } from './facts-cache';

describe('FactsCache', () => {
  it('gathers on first use, keeps the facts, and gathers again on refresh or once stale', async () => {
    const reasons: GatherReason[] = [];
    let gathered = 0;
    const cache = new FactsCache(async () => ({ hostName: `h${(gathered += 1)}` }) as HostFacts, (reason) => reasons.push(reason));
    expect((await cache.current()).hostName).toBe('h1');
    expect((await cache.current()).hostName).toBe('h1');
    expect((await cache.refresh()).hostName).toBe('h2');
    cache.hostChanged();
    cache.hostChanged();
    const [one, two] = await Promise.all([cache.current(), cache.current()]);
    expect([one.hostName, two.hostName]).toEqual(['h3', 'h3']);
    expect(reasons).toEqual(['first use', 'attach', 'host changed']);
  });

  it('does not keep a failed gathering', async () => {
    let attempts = 0;
    const cache = new FactsCache(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('no /proc');
      return { hostName: 'h1' } as HostFacts;
    });
    await expect(cache.current()).rejects.toThrow('no /proc');
    expect((await cache.current()).hostName).toBe('h1');
    expect(attempts).toBe(2);
  });
});
