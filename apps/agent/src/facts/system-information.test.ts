import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { readHardwareUuid, readMemoryTotals, settleWithin } from './system-information';

async function readOr(path: string, fallback: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => fallback);
}

describe('systeminformation sources on this machine', () => {
  it('reads memory and swap totals as /proc/meminfo states them', async () => {
    const totals = await readMemoryTotals();
    const meminfo = await readOr('/proc/meminfo', '');
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
    expect(totals.totalBytes).toBe(os.totalmem());
    expect(totals.swapTotalBytes).toBe(kib('SwapTotal'));
    expect(totals.swapUsedBytes).toBeGreaterThanOrEqual(0);
    expect(totals.swapUsedBytes).toBeLessThanOrEqual(totals.swapTotalBytes);
  });

  it('reads the SMBIOS product UUID, or the CPU serial, or nothing', async () => {
    const productUuid = (await readOr('/sys/class/dmi/id/product_uuid', '')).trim().toLowerCase();
    const cpuSerial = /^serial\s*:\s*(\S+)/im.exec(await readOr('/proc/cpuinfo', ''))?.[1]?.toLowerCase() ?? '';
    expect(await readHardwareUuid()).toBe(productUuid || cpuSerial);
  });
});

describe('settleWithin', () => {
  it('gives the value of work that settles in time', async () => {
    expect(await settleWithin(Promise.resolve(42), 1_000)).toBe(42);
  });

  it('gives undefined for work that fails', async () => {
    expect(await settleWithin(Promise.reject(new Error('boom')), 1_000)).toBeUndefined();
  });

  it('gives undefined once the time is up, without waiting for hung work', async () => {
    const started = performance.now();
    expect(await settleWithin(new Promise<number>(() => undefined), 20)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
