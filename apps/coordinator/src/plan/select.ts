import type { PlanEntry, PlanStage } from './types';

/**
 * A path pattern of --only / --skip: `stage`, `stage/step`, `stage/step@host` or
 * `stage@host`; each part may use `*` (any text) and `?` (one character).
 * Examples: `prepare`, `join-workers/*@worker1`, `prepare/firewall@lb*`, and a `*`
 * stage with step kubeadm.join for every join.
 */
export interface PathPattern {
  text: string;
  stage: RegExp;
  step: RegExp;
  host: RegExp;
  /** Names a whole stage: no step and no host part (or only `*`). */
  wholeStage: boolean;
}

/** --only / --skip named something the plan does not have. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

function glob(part: string): RegExp {
  const source = part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

/** Parses patterns; several may be given in one string, comma-separated. */
export function parsePatterns(texts: readonly string[]): PathPattern[] {
  return texts
    .flatMap((text) => text.split(','))
    .map((text) => text.trim())
    .filter((text) => text.length > 0)
    .map((text) => {
      const [left = '', host = '*'] = text.split('@', 2);
      const [stage = '', step = '*'] = left.split('/', 2);
      if (stage === '' || step === '' || host === '' || text.split('@').length > 2 || left.split('/').length > 2) {
        throw new SelectionError(`"${text}" is not a plan path: use stage, stage/step or stage/step@host (with * wildcards), e.g. prepare/firewall@lb1`);
      }
      return { text, stage: glob(stage), step: glob(step), host: glob(host), wholeStage: step === '*' && host === '*' };
    });
}

/** Whether a pattern selects an entry. */
export function matchesEntry(pattern: PathPattern, entry: PlanEntry): boolean {
  return pattern.stage.test(entry.stage) && pattern.step.test(entry.step) && pattern.host.test(entry.host);
}

/** Whether a pattern names a whole stage (stage part only, any step, any host). */
function matchesStage(pattern: PathPattern, stage: PlanStage): boolean {
  return pattern.wholeStage && pattern.stage.test(stage.id);
}

/** Every `stage/step` path of the stages, then the hosts, for error messages. */
export function validPaths(stages: readonly PlanStage[]): string {
  const paths = new Set<string>();
  const hosts = new Set<string>();
  for (const stage of stages) {
    if (stage.entries.length === 0) paths.add(stage.id);
    for (const entry of stage.entries) {
      paths.add(`${stage.id}/${entry.step}`);
      hosts.add(entry.host);
    }
  }
  return `valid paths: ${[...paths].join(', ')}; hosts (after @): ${[...hosts].join(', ')}`;
}

/**
 * Keeps the entries selected by `only` (all when empty) and not by `skip`. Every pattern
 * must match something in the full plan, else a SelectionError lists the valid paths.
 * Stages left without entries are dropped, except entry-less stages (attach) that are
 * not skipped by name.
 */
export function selectEntries(stages: readonly PlanStage[], only: readonly PathPattern[], skip: readonly PathPattern[]): PlanStage[] {
  for (const pattern of [...only, ...skip]) {
    const used = stages.some((stage) => matchesStage(pattern, stage) || stage.entries.some((entry) => matchesEntry(pattern, entry)));
    if (!used) throw new SelectionError(`"${pattern.text}" matches nothing in this plan (${validPaths(stages)})`);
  }
  const lanes = laneChoices(stages, only, skip);
  const keep = (entry: PlanEntry) =>
    entry.lane !== undefined
      ? lanes.get(entry.lane) === true
      : (only.length === 0 || only.some((pattern) => matchesEntry(pattern, entry))) && !skip.some((pattern) => matchesEntry(pattern, entry));
  return stages.flatMap((stage) => {
    if (stage.entries.length === 0) return skip.some((pattern) => matchesStage(pattern, stage)) ? [] : [stage];
    const entries = stage.entries.filter(keep);
    return entries.length === 0 ? [] : [{ ...stage, entries }];
  });
}

/**
 * Whether each lane (PlanEntry.lane: a join with its token's create and delete) is kept:
 * selecting any of its entries with --only keeps all of them (a join needs the token its
 * lane makes); a --skip that would drop some of a kept lane's entries and not the others
 * is refused, naming the whole lane as the fix.
 */
function laneChoices(stages: readonly PlanStage[], only: readonly PathPattern[], skip: readonly PathPattern[]): Map<string, boolean> {
  const lanes = new Map<string, PlanEntry[]>();
  for (const entry of stages.flatMap((stage) => stage.entries)) if (entry.lane !== undefined) lanes.set(entry.lane, [...(lanes.get(entry.lane) ?? []), entry]);
  const choices = new Map<string, boolean>();
  for (const [lane, entries] of lanes) {
    const selected = only.length === 0 || entries.some((entry) => only.some((pattern) => matchesEntry(pattern, entry)));
    const skipped = entries.filter((entry) => skip.some((pattern) => matchesEntry(pattern, entry)));
    if (selected && skipped.length > 0 && skipped.length < entries.length) {
      const first = entries[0] as PlanEntry;
      throw new SelectionError(
        `--skip ${skipped.map((entry) => entry.path).join(', ')} would split the lane ${lane} (${entries.map((entry) => entry.step).join(' → ')}): its entries run together. Fix: skip the whole lane with --skip '${first.stage}/*@${first.host}', or none of it`,
      );
    }
    choices.set(lane, selected && skipped.length === 0);
  }
  return choices;
}
