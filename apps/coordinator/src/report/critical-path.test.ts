import { describe, expect, it } from 'vitest';
import { criticalPath, type TimedStep } from './critical-path';

const step = (stage: string, host: string, startMs: number, endMs: number): TimedStep => ({ stage, host, startMs, endMs });

describe('criticalPath', () => {
  it('follows the slowest lane of each stage back through the stage barriers', () => {
    const steps = [
      step('preflight', 'a', 0, 10), // 0
      step('preflight', 'b', 0, 30), // 1: the slow lane of preflight
      step('prepare', 'a', 31, 40), // 2
      step('prepare', 'a', 40, 90), // 3: a's second step ends last
      step('prepare', 'b', 31, 60), // 4
    ];
    expect(criticalPath(steps)).toEqual([1, 2, 3]);
  });

  it('goes through the lane that freed the slot in a one-at-a-time stage', () => {
    const steps = [
      step('init', 'm1', 0, 50), // 0
      step('join-control-planes', 'm2', 51, 80), // 1
      step('join-control-planes', 'm2', 80, 100), // 2
      step('join-control-planes', 'm3', 101, 130), // 3: waited for m2's lane
      step('join-control-planes', 'm3', 130, 170), // 4
    ];
    expect(criticalPath(steps)).toEqual([0, 1, 2, 3, 4]);
  });

  it('reaches the barrier, not a fast step of another lane, when lanes start together', () => {
    const steps = [
      step('preflight', 'a', 0, 100), // 0: ends last in preflight
      step('preflight', 'b', 0, 20), // 1
      step('prepare', 'a', 101, 102), // 2: a quick noop
      step('prepare', 'b', 101, 200), // 3: b's lane starts with the stage
    ];
    expect(criticalPath(steps)).toEqual([0, 3]);
  });

  it('prefers the same host among equal end times and survives steps of no duration', () => {
    const steps = [
      step('preflight', 'a', 0, 10), // 0
      step('preflight', 'b', 0, 10), // 1
      step('prepare', 'b', 10, 10), // 2: no duration, first of its lane
      step('prepare', 'b', 10, 25), // 3
    ];
    expect(criticalPath(steps)).toEqual([1, 2, 3]);
  });

  it('is empty without steps and a single step alone', () => {
    expect(criticalPath([])).toEqual([]);
    expect(criticalPath([step('verify', 'a', 5, 9)])).toEqual([0]);
  });
});

describe('criticalPath ties at the end of a run', () => {
  it('ends on the step that finished (and stopped the run), not on one the run cut off at the same time', () => {
    const steps = [
      step('prepare', 'a', 0, 50), // 0: failed at 50, which ended the run
      { ...step('prepare', 'b', 0, 50), unfinished: true }, // 1: interrupted by the run's end
    ];
    expect(criticalPath(steps)).toEqual([0]);
    expect(criticalPath([steps[1]!, steps[0]!])).toEqual([1]);
  });
});
