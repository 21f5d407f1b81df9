import type { Plan, PlanStage } from '../plan/types';
import { type BuildModel, PLANNED_STEP_MS, pictureOf, type StepBar } from './build-model';

function slotsOf(stage: PlanStage, lanes: number): number {
  if (stage.concurrency.kind === 'one-at-a-time') return 1;
  if (stage.concurrency.kind === 'cap') return Math.max(1, Math.min(stage.concurrency.max, lanes));
  return Math.max(1, lanes);
}

/**
 * The picture of a dry run: the plan laid out the way the scheduler runs it, every step
 * one unit long (the plan knows no durations). Stages one after another; in a stage each
 * host's steps in order, and hosts taking the stage's free slots in plan order. So the
 * critical path shows what must wait for what, e.g. control planes joining one at a time.
 */
export function planModel(plan: Plan): BuildModel {
  const bars: StepBar[] = [];
  const hosts: string[] = [];
  let now = 0;
  for (const stage of plan.stages) {
    const lanes = new Map<string, typeof stage.entries>();
    for (const entry of stage.entries) lanes.set(entry.host, [...(lanes.get(entry.host) ?? []), entry]);
    const slots: number[] = new Array<number>(slotsOf(stage, lanes.size)).fill(now);
    for (const [host, entries] of lanes) {
      if (!hosts.includes(host)) hosts.push(host);
      const slot = slots.indexOf(Math.min(...slots));
      let at = slots[slot]!;
      for (const entry of entries) {
        bars.push({ id: bars.length, stage: entry.stage, step: entry.step, host, path: entry.path, result: 'planned', startMs: at, endMs: at + PLANNED_STEP_MS, critical: false });
        at += PLANNED_STEP_MS;
      }
      slots[slot] = at;
    }
    now = Math.max(now, ...slots);
  }
  return pictureOf({ run: `plan of ${plan.cluster}`, startedAt: '', open: false, timeUnit: 'step', hosts, bars, earlierRuns: [] });
}
