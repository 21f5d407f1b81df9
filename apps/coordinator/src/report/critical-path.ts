/** What the critical path needs of a bar: where it ran and when (ms on one clock). */
export interface TimedStep {
  stage: string;
  host: string;
  startMs: number;
  endMs: number;
  /** The step did not end: it was cut off by the run's end (interrupted) or still runs. */
  unfinished?: boolean;
}

/**
 * The critical path of a run: the chain of steps that determined its total time, as ids
 * (indexes into `steps`) from first to last.
 *
 * The scheduler runs stages strictly one after another; within a stage each host is a
 * lane whose steps run one after another, and lanes run in parallel up to the stage's
 * concurrency. So a step can only have started when (a) the previous step of its lane
 * ended, or, for a lane's first step, when (b) a concurrency slot was freed by another
 * lane of its stage ending, or (c) the previous stage ended (the stage barrier). The
 * chain is built backwards from the step that ended last (ties: a step that finished before
 * one cut off by the run's end, since that one stopped the run; then the one listed last),
 * and the predecessor of a step S is:
 *   1. the step of S's host in S's stage that started latest before S (its lane), if any;
 *   2. else the step that ended latest at or before S's start, over all hosts and stages:
 *      a slot or the barrier, whichever freed S (ties: S's own host, then listed last).
 * The chain stops at a step with no predecessor. Gaps between links are waits (readiness
 * conditions, brokered inputs) that no step accounts for.
 *
 * The first-step rule needs no record of each stage's concurrency: in a stage whose lanes
 * all start together no step of that stage has ended yet when a lane's first step starts,
 * so rule 2 reaches the barrier; in a one-at-a-time or capped stage it finds the lane that
 * freed the slot. O(n log n) in the number of steps.
 */
export function criticalPath(steps: readonly TimedStep[]): number[] {
  if (steps.length === 0) return [];
  // Lane predecessors: per (stage, host), steps in start order.
  const lanePrevious = new Map<number, number>();
  const lanes = new Map<string, number[]>();
  steps.forEach((step, id) => {
    const key = `${step.stage}\u0000${step.host}`;
    const lane = lanes.get(key);
    if (lane) lane.push(id);
    else lanes.set(key, [id]);
  });
  for (const lane of lanes.values()) {
    lane.sort((a, b) => steps[a]!.startMs - steps[b]!.startMs || a - b);
    for (let index = 1; index < lane.length; index++) lanePrevious.set(lane[index]!, lane[index - 1]!);
  }
  // Every step by end time, for "ended latest at or before t".
  const cut = (id: number) => (steps[id]!.unfinished ? 0 : 1);
  const byEnd = steps.map((_, id) => id).sort((a, b) => steps[a]!.endMs - steps[b]!.endMs || cut(a) - cut(b) || a - b);
  const lastEndingAtOrBefore = (time: number): number => {
    let low = 0;
    let high = byEnd.length; // first index whose end > time
    while (low < high) {
      const middle = (low + high) >> 1;
      if (steps[byEnd[middle]!]!.endMs <= time) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  };

  const chain: number[] = [];
  const visited = new Set<number>();
  let current: number | undefined = byEnd[byEnd.length - 1];
  while (current !== undefined && !visited.has(current)) {
    visited.add(current);
    chain.push(current);
    const step = steps[current]!;
    let previous = lanePrevious.get(current);
    if (previous === undefined) {
      // Skip S itself (a step of no duration ends when it starts) and steps already chained.
      let index = lastEndingAtOrBefore(step.startMs);
      while (index >= 0 && visited.has(byEnd[index]!)) index--;
      if (index >= 0) {
        const latestEnd = steps[byEnd[index]!]!.endMs;
        previous = byEnd[index]!;
        // Among the steps that share that end time, prefer S's own host.
        for (let other = index; other >= 0 && steps[byEnd[other]!]!.endMs === latestEnd; other--) {
          const candidate = byEnd[other]!;
          if (!visited.has(candidate) && steps[candidate]!.host === step.host) {
            previous = candidate;
            break;
          }
        }
      }
    }
    current = previous;
  }
  return chain.reverse();
}
