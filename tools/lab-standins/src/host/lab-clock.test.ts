import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labClockOffsetMs, labNow, parseClockShift, shiftLabClock } from './lab-clock';

describe('lab clock', () => {
  const saved = process.env.KUMI_LAB_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.KUMI_LAB_DIR;
    else process.env.KUMI_LAB_DIR = saved;
  });

  it.each([
    ['+2h', 7_200_000],
    ['90m', 5_400_000],
    ['+30s', 30_000],
    ['+1d', 86_400_000],
    ['0', 0],
  ])('parses %s', (text, ms) => {
    expect(parseClockShift(text)).toBe(ms);
  });

  it('rejects what it cannot read, saying how to write it', () => {
    expect(() => parseClockShift('-2h')).toThrow(/use \+2h/);
  });

  it('moves forward, adds up and resets', () => {
    process.env.KUMI_LAB_DIR = mkdtempSync(path.join(tmpdir(), 'clock-'));
    expect(labClockOffsetMs()).toBe(0);
    shiftLabClock(parseClockShift('+2h'));
    shiftLabClock(parseClockShift('+30m'));
    expect(labClockOffsetMs()).toBe(9_000_000);
    expect(labNow().getTime() - Date.now()).toBeGreaterThan(8_990_000);
    shiftLabClock(0);
    expect(labClockOffsetMs()).toBe(0);
  });
});
