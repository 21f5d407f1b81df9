import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serialSyncTick } from './sync-loop';

describe('serialSyncTick', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never starts a second sync while an overdue one still runs', async () => {
    let running = 0;
    let maxRunning = 0;
    let finish: () => void = () => undefined;
    const sync = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => (finish = resolve));
      running--;
    });
    const log = vi.fn();
    const tick = serialSyncTick(sync, 1000, log);
    tick();
    await vi.advanceTimersByTimeAsync(1500);
    tick();
    expect(sync).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^sync overdue: still running after 1 s/));
    finish();
    await vi.advanceTimersByTimeAsync(0);
    tick();
    expect(sync).toHaveBeenCalledTimes(2);
    expect(maxRunning).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
  });

  it('logs a failed sync and runs the next one', async () => {
    const sync = vi.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValue(undefined);
    const log = vi.fn();
    const tick = serialSyncTick(sync, 1000, log);
    tick();
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toHaveBeenCalledWith('sync failed: boom');
    tick();
    expect(sync).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(log).toHaveBeenCalledTimes(1);
  });
});
