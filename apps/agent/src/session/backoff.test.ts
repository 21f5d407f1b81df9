import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, backoffDelay, RECONNECT_BACKOFF } from './backoff';

describe('backoff', () => {
  it('doubles the ceiling from 0.5 s and caps it at 5 s', () => {
    const ceilings = Array.from({ length: 10 }, (_, attempt) => backoffCeiling(RECONNECT_BACKOFF, attempt));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000]);
    expect(backoffCeiling(RECONNECT_BACKOFF, 10_000)).toBe(5000);
  });

  it('draws delays within [0, ceiling] (full jitter)', () => {
    expect(backoffDelay(RECONNECT_BACKOFF, 3, () => 0)).toBe(0);
    expect(backoffDelay(RECONNECT_BACKOFF, 3, () => 0.999_999)).toBe(3999);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(backoffCeiling(RECONNECT_BACKOFF, attempt));
    }
  });

  it('counts attempts and starts over after reset', () => {
    const backoff = new Backoff(RECONNECT_BACKOFF, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 1000]);
    expect(backoff.attempt).toBe(4);
    backoff.reset();
    expect(backoff.attempt).toBe(1);
    expect(backoff.next()).toBe(250);
  });
});
