import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../journal/journal';
import { buildModel } from './build-model';

const T0 = Date.parse('2026-12-06T06:00:00.000Z');
const rec = (ms: number, run: string, path: string, host: string, status: JournalRecord['status'], extra: Partial<JournalRecord> = {}): JournalRecord => ({
  time: new Date(T0 + ms).toISOString(),
  run,
  path,
  host,
  status,
  ...extra,
});

const records: JournalRecord[] = [
  rec(0, 'old', 'preflight/preflight', 'm1', 'started'),
  rec(5, 'old', 'preflight/preflight', 'm1', 'failed', { error: { code: 'COMMAND_FAILED', message: 'x' } }),
  rec(1_000, 'r2', 'preflight/preflight', 'm1', 'started'),
  rec(1_000, 'r2', 'preflight/preflight', 'w1', 'started'),
  rec(1_040, 'r2', 'preflight/preflight', 'w1', 'noop', { note: 'nothing to do' }),
  rec(1_100, 'r2', 'preflight/preflight', 'm1', 'done'),
  rec(1_101, 'r2', 'prepare/swap.off', 'm1', 'started'),
  rec(1_101, 'r2', 'prepare/swap.off', 'w1', 'started'),
  rec(1_150, 'r2', 'prepare/swap.off', 'm1', 'done'),
  rec(1_300, 'r2', 'prepare/swap.off', 'w1', 'failed', {
    error: { code: 'COMMAND_FAILED', message: 'swapoff: exit 1', exitCode: 1, stderrTail: 'swapoff: /swap.img: Invalid argument', command: 'swapoff -a' },
  }),
  rec(1_151, 'r2', 'prepare/kernel.modules', 'm1', 'started'),
  rec(1_152, 'r2', 'secret-broker/token', 'm1', 'started', { outputs: { tokenId: 'abcdef' } }),
];

describe('buildModel', () => {
  it('shows the latest run: one bar per started step, results, stages in plan order, earlier runs counted', () => {
    const model = buildModel(records, { open: false });
    expect(model.run).toBe('r2');
    expect(model.earlierRuns).toEqual(['old']);
    expect(model.hosts).toEqual(['m1', 'w1']);
    expect(model.bars.map((bar) => [bar.path, bar.result, bar.startMs, bar.endMs])).toEqual([
      ['preflight/preflight@m1', 'done', 0, 100],
      ['preflight/preflight@w1', 'noop', 0, 40],
      ['prepare/swap.off@m1', 'done', 101, 150],
      ['prepare/swap.off@w1', 'failed', 101, 300],
      // Never ended and the run is over: interrupted at the run's last record.
      ['prepare/kernel.modules@m1', 'interrupted', 151, 300],
    ]);
    expect(model.stages).toEqual([
      { id: 'preflight', startMs: 0, endMs: 100 },
      { id: 'prepare', startMs: 101, endMs: 300 },
    ]);
    expect(model.outcome).toBe('failed');
    expect(model.totalMs).toBe(300);
    expect(model.problems.map((id) => model.bars[id]?.path)).toEqual(['prepare/swap.off@w1', 'prepare/kernel.modules@m1']);
    expect(model.bars[3]?.error?.stderrTail).toContain('Invalid argument');
    expect(model.critical.map((id) => model.bars[id]?.path)).toEqual(['preflight/preflight@m1', 'prepare/swap.off@w1']);
    expect(model.bars.filter((bar) => bar.critical)).toHaveLength(2);
  });

  it('counts totals per stage and per host', () => {
    const model = buildModel(records, { open: false });
    expect(model.stageTotals.find((row) => row.name === 'prepare')).toMatchObject({ wallMs: 199, busyMs: 49 + 199 + 149, counts: { done: 1, failed: 1, interrupted: 1 } });
    expect(model.hostTotals.find((row) => row.name === 'w1')).toMatchObject({ wallMs: 300, busyMs: 40 + 199, counts: { noop: 1, failed: 1 } });
  });

  it('shows an unfinished step of a run that goes on as running up to now', () => {
    const model = buildModel(records, { open: true, now: T0 + 1_500 });
    const running = model.bars.find((bar) => bar.path === 'prepare/kernel.modules@m1');
    expect(running).toMatchObject({ result: 'running', endMs: 500 });
    expect(model.critical.map((id) => model.bars[id]?.path).at(-1)).toBe('prepare/kernel.modules@m1');
  });

  it('picks a run by id, and leaves resets out', () => {
    const model = buildModel([...records, rec(2_000, 'r3', '*', 'm1', 'reset')], { open: false, run: 'old' });
    expect(model.bars.map((bar) => `${bar.path}:${bar.result}`)).toEqual(['preflight/preflight@m1:failed']);
    expect(model.earlierRuns).toEqual([]);
    expect(buildModel([], { open: false })).toMatchObject({ outcome: 'empty', bars: [], hosts: [], totalMs: 0 });
  });
});
