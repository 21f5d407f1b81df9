import type { JournalError, JournalRecord } from '../journal/journal';
import { STAGE_IDS } from '../plan/types';
import { criticalPath } from './critical-path';

/**
 * How a bar of the picture ended. `interrupted`: started, and the run stopped before it
 * ended; `running`: started and the run still goes on; `planned`: a dry run's entry.
 */
export type BarResult = 'done' | 'noop' | 'failed' | 'interrupted' | 'running' | 'planned';

/** Every result, in the legend's order. */
export const BAR_RESULTS: readonly BarResult[] = ['done', 'noop', 'failed', 'interrupted', 'running', 'planned'];

/** One step on one host: a bar of the timeline. Times in ms since the run's first record. */
export interface StepBar {
  /** Index in BuildModel.bars. */
  id: number;
  stage: string;
  step: string;
  host: string;
  /** `stage/step@host`, as `kumi up --only` takes it. */
  path: string;
  result: BarResult;
  startMs: number;
  endMs: number;
  error?: JournalError;
  /** A NOOP's reason or another note from the journal. */
  note?: string;
  critical: boolean;
}

/** Where a stage sits on the timeline: from its first step's start to its last step's end. */
export interface StageSpan {
  id: string;
  startMs: number;
  endMs: number;
}

/** Counts of steps per result. */
export type ResultCounts = Record<BarResult, number>;

/** Totals of one stage or one host. */
export interface Totals {
  name: string;
  /** First start to last end. */
  wallMs: number;
  /** Sum of the step durations. */
  busyMs: number;
  counts: ResultCounts;
}

/** Everything the report shows, computed from the journal alone. */
export interface BuildModel {
  run: string;
  /** ISO time of the run's first record. */
  startedAt: string;
  /** The run's first record to its last end (or now, while it runs). */
  totalMs: number;
  /** The run is still going (live page, or a `kumi up` holds the cluster). */
  open: boolean;
  /** Worst result: failed > interrupted > running > done. */
  outcome: 'done' | 'failed' | 'interrupted' | 'running' | 'planned' | 'empty';
  /** Hosts in order of their first record (the plan's host order). */
  hosts: string[];
  stages: StageSpan[];
  bars: StepBar[];
  /** Bar ids of the critical path, first to last (see criticalPath). */
  critical: number[];
  stageTotals: Totals[];
  hostTotals: Totals[];
  /** Ids of the failed and interrupted bars, in time order. */
  problems: number[];
  /** Earlier runs in the journal (their ids, oldest first); the report shows one run. */
  earlierRuns: string[];
  /** `ms`: times are measured; `step`: a dry run's picture, where every step counts as one unit (PLANNED_STEP_MS). */
  timeUnit: 'ms' | 'step';
}

/** The length of one step on a dry run's picture: the plan knows no durations. */
export const PLANNED_STEP_MS = 1_000;

/** Options of buildModel. */
export interface BuildModelOptions {
  /** Which run to show; default the latest run in the records. */
  run?: string;
  /** Whether the run still goes on: its unfinished steps are `running`, else `interrupted`. */
  open: boolean;
  /** Now (ms since the epoch) for running bars; default Date.now(). */
  now?: number;
}

/** An empty ResultCounts. */
export function noCounts(): ResultCounts {
  return { done: 0, noop: 0, failed: 0, interrupted: 0, running: 0, planned: 0 };
}

function isPlanStage(stage: string): boolean {
  return (STAGE_IDS as readonly string[]).includes(stage);
}

function stageRank(stage: string): number {
  const index = (STAGE_IDS as readonly string[]).indexOf(stage);
  return index < 0 ? STAGE_IDS.length : index;
}

/** Splits a journal path "stage/step" (the host is the record's own field). */
function splitPath(path: string): { stage: string; step: string } {
  const slash = path.indexOf('/');
  return slash < 0 ? { stage: path, step: path } : { stage: path.slice(0, slash), step: path.slice(slash + 1) };
}

function totalsOf(name: string, bars: readonly StepBar[]): Totals {
  const counts = noCounts();
  let start = Infinity;
  let end = -Infinity;
  let busyMs = 0;
  for (const bar of bars) {
    counts[bar.result] += 1;
    start = Math.min(start, bar.startMs);
    end = Math.max(end, bar.endMs);
    busyMs += bar.endMs - bar.startMs;
  }
  return { name, wallMs: bars.length ? end - start : 0, busyMs, counts };
}

function groupBy<K>(bars: readonly StepBar[], key: (bar: StepBar) => K): Map<K, StepBar[]> {
  const groups = new Map<K, StepBar[]>();
  for (const bar of bars) {
    const group = groups.get(key(bar));
    if (group) group.push(bar);
    else groups.set(key(bar), [bar]);
  }
  return groups;
}

/**
 * The picture of one run from its journal records (in journal order): one bar per
 * (host, step) from its `started` record to its result; a step with no result yet is
 * running (open run) or interrupted (ended run). Resets, other runs' records and records
 * outside the plan's stages (the secret broker's token ledger) are left out. Linear in the number of records, plus a sort.
 */
export function buildModel(records: readonly JournalRecord[], options: BuildModelOptions): BuildModel {
  const runs: string[] = [];
  for (const record of records) if (record.status !== 'reset' && !runs.includes(record.run)) runs.push(record.run);
  const run = options.run ?? runs.at(-1) ?? '';
  // Only plan steps are bars: the broker's own bookkeeping (its token ledger) is no step.
  const mine = records.filter((record) => record.run === run && record.status !== 'reset' && isPlanStage(splitPath(record.path).stage));
  const t0 = mine.length ? Date.parse(mine[0]!.time) : 0;
  const at = (record: JournalRecord) => Date.parse(record.time) - t0;
  const lastMs = mine.reduce((latest, record) => Math.max(latest, at(record)), 0);
  const endOfOpen = options.open ? Math.max(lastMs, (options.now ?? Date.now()) - t0) : lastMs;

  const hosts: string[] = [];
  const seenHosts = new Set<string>();
  const open = new Map<string, StepBar>();
  const bars: StepBar[] = [];
  for (const record of mine) {
    if (!seenHosts.has(record.host)) {
      seenHosts.add(record.host);
      hosts.push(record.host);
    }
    const key = `${record.path}@${record.host}`;
    if (record.status === 'started') {
      const { stage, step } = splitPath(record.path);
      const bar: StepBar = { id: bars.length, stage, step, host: record.host, path: key, result: options.open ? 'running' : 'interrupted', startMs: at(record), endMs: endOfOpen, critical: false };
      bars.push(bar);
      open.set(key, bar);
      continue;
    }
    const bar = open.get(key);
    if (!bar) continue; // A result without its start: the start line was torn by a crash.
    open.delete(key);
    bar.result = record.status === 'failed' ? 'failed' : record.status === 'noop' ? 'noop' : 'done';
    bar.endMs = Math.max(bar.startMs, at(record));
    if (record.error) bar.error = record.error;
    if (record.note) bar.note = record.note;
  }

  return pictureOf({ run, startedAt: mine[0]?.time ?? '', open: options.open, timeUnit: 'ms', hosts, bars, earlierRuns: runs.filter((id) => id !== run).slice(0, Math.max(0, runs.indexOf(run))) });
}

/** What pictureOf needs: the bars and where they come from. */
export type PictureParts = Pick<BuildModel, 'run' | 'startedAt' | 'open' | 'timeUnit' | 'hosts' | 'bars' | 'earlierRuns'>;

/** The whole picture from its bars: critical path, stage spans, totals, failures, outcome. */
export function pictureOf(parts: PictureParts): BuildModel {
  const { bars, hosts } = parts;
  const critical = criticalPath(bars.map((bar) => ({ ...bar, unfinished: bar.result === 'interrupted' || bar.result === 'running' })));
  for (const id of critical) bars[id]!.critical = true;
  const byStage = groupBy(bars, (bar) => bar.stage);
  const stageIds = [...byStage.keys()].sort((a, b) => stageRank(a) - stageRank(b));
  const stages = stageIds.map((id): StageSpan => {
    const own = byStage.get(id)!;
    return { id, startMs: own.reduce((first, bar) => Math.min(first, bar.startMs), Infinity), endMs: own.reduce((last, bar) => Math.max(last, bar.endMs), 0) };
  });
  const byHost = groupBy(bars, (bar) => bar.host);
  const problems = bars.filter((bar) => bar.result === 'failed' || bar.result === 'interrupted').sort((a, b) => a.endMs - b.endMs);
  const has = (result: BarResult) => bars.some((bar) => bar.result === result);
  const outcome = !bars.length ? 'empty' : has('failed') ? 'failed' : has('interrupted') ? 'interrupted' : has('running') ? 'running' : has('planned') ? 'planned' : 'done';
  return {
    ...parts,
    totalMs: bars.reduce((latest, bar) => Math.max(latest, bar.endMs), 0),
    outcome,
    stages,
    critical,
    stageTotals: stageIds.map((id) => totalsOf(id, byStage.get(id)!)),
    hostTotals: hosts.map((host) => totalsOf(host, byHost.get(host) ?? [])),
    problems: problems.map((bar) => bar.id),
  };
}
