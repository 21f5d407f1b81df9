import { redact, type SecretBag, StepFailure } from '@kumi/steps';
import type {
  EntryError,
  EntryInputs,
  EntryOutcome,
  EntryStatus,
  RunFailure,
  RunReport,
  SchedulerDeps,
  SchedulerEvent,
} from './scheduler-types';
import { StepRunError } from './step-handle';
import type { Plan, PlanEntry, PlanStage, Readiness, StageId } from './types';

/** An event before the scheduler stamps it with seq and time. */
type EventInput = SchedulerEvent extends unknown ? DistributiveOmit<SchedulerEvent, 'seq' | 'time'> : never;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Reads an unknown thrown value as an EntryError (StepFailure keeps its fields). */
function asEntryError(cause: unknown, secrets: SecretBag = {}): EntryError {
  const clean = (text: string) => redact(text, Object.values(secrets));
  if (cause instanceof StepRunError) {
    const { error } = cause;
    return { ...error, message: clean(error.message), ...(error.stderrTail ? { stderrTail: clean(error.stderrTail) } : {}) };
  }
  if (cause instanceof StepFailure) {
    return { code: cause.code, message: clean(cause.message), exitCode: cause.exitCode, stderrTail: clean(cause.stderrTail), command: cause.command };
  }
  return { code: 'INTERNAL', message: clean(cause instanceof Error ? cause.message : String(cause)) };
}

/** Largest number of hosts of a stage that may work at once. */
function laneLimit(stage: PlanStage, lanes: number): number {
  if (stage.concurrency.kind === 'one-at-a-time') return 1;
  if (stage.concurrency.kind === 'cap') return Math.max(1, stage.concurrency.max);
  return Math.max(1, lanes);
}

/** How long a cancelled run's cleanup entries may still run (SchedulerDeps.cleanupGraceMs). */
export const CLEANUP_GRACE_MS = 15_000;

/** Entries grouped by host, hosts in order of first appearance; a lane runs in order. */
function lanesOf(entries: readonly PlanEntry[]): PlanEntry[][] {
  const byHost = new Map<string, PlanEntry[]>();
  for (const entry of entries) byHost.set(entry.host, [...(byHost.get(entry.host) ?? []), entry]);
  return [...byHost.values()];
}

/**
 * Runs a plan: stages strictly in order; within a stage, hosts in parallel under the
 * stage's concurrency rule, each host's entries one after another. A failed entry ends
 * its host's lane; what the other hosts do then is the stage's `afterHostFailure` (by
 * default nothing new starts, entries in flight finish, and the run ends). Pure
 * orchestration: every effect goes through `deps`.
 */
export async function runPlan(plan: Plan, deps: SchedulerDeps): Promise<RunReport> {
  const now = deps.now ?? Date.now;
  const controller = new AbortController();
  const onAbort = () => controller.abort(deps.signal?.reason);
  if (deps.signal?.aborted) controller.abort(deps.signal.reason);
  else deps.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  let seq = 0;
  const emit = (event: EventInput) => deps.onEvent?.({ ...event, seq: ++seq, time: now() } as SchedulerEvent);
  const status = new Map<PlanEntry, EntryStatus>();
  const failures: RunFailure[] = [];

  const cleanupGraceMs = deps.cleanupGraceMs ?? CLEANUP_GRACE_MS;
  /**
   * The signal of a cleanup entry: the run's, but aborting only cleanupGraceMs after it. A
   * cancelled run still deletes the join token it made (a live credential for its whole TTL
   * otherwise), in bounded time; a second Ctrl-C quits at once (the session's handler).
   */
  const withGrace = (): { signal: AbortSignal; dispose(): void } => {
    const graced = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      timer = setTimeout(() => graced.abort(signal.reason), cleanupGraceMs);
      timer.unref();
    };
    if (signal.aborted) start();
    else signal.addEventListener('abort', start, { once: true });
    return {
      signal: graced.signal,
      dispose: () => {
        signal.removeEventListener('abort', start);
        clearTimeout(timer);
      },
    };
  };

  const waitFor = async (stage: StageId, readiness: Readiness, entry?: PlanEntry, waitSignal = signal): Promise<boolean> => {
    const host = entry?.host ?? (readiness.check.kind === 'probe' ? readiness.check.host : undefined);
    const where: { stage: StageId; readiness: string; host?: string; path?: string } = {
      stage,
      readiness: readiness.id,
      ...(host ? { host } : {}),
      ...(entry ? { path: entry.path } : {}),
    };
    const started = now();
    emit({ kind: 'readiness-wait', ...where, waitsFor: readiness.waitsFor });
    try {
      await deps.readiness.wait(readiness, { stage, entry, signal: waitSignal, onProgress: (text) => emit({ kind: 'readiness-progress', ...where, text }) });
      emit({ kind: 'readiness-end', ...where, ok: true, durationMs: now() - started });
      return true;
    } catch (cause) {
      const message = asEntryError(cause).message;
      emit({ kind: 'readiness-end', ...where, ok: false, message, durationMs: now() - started });
      failures.push({ kind: 'readiness', stage, readiness: readiness.id, waitsFor: readiness.waitsFor, message, ...(where.host ? { host: where.host } : {}), ...(where.path ? { path: where.path } : {}) });
      return false;
    }
  };

  /** Runs one entry (skipped when done, after its gates); `entrySignal` cancels it (the run's by default). */
  const runEntry = async (entry: PlanEntry, entrySignal = signal): Promise<boolean> => {
    const base = { stage: entry.stage, host: entry.host, step: entry.step, path: entry.path };
    if (await deps.isDone?.(entry)) {
      status.set(entry, 'already-done');
      emit({ kind: 'entry-end', ...base, status: 'already-done', durationMs: 0 });
      return true;
    }
    for (const gate of entry.gates) if (!(await waitFor(entry.stage, gate, entry, entrySignal))) return false;
    const started = now();
    emit({ kind: 'entry-start', ...base });
    const outcome = await execute(entry, entrySignal, (event) => emit({ ...base, ...event } as EventInput));
    status.set(entry, outcome.status);
    const durationMs = now() - started;
    if (outcome.status === 'failed') {
      failures.push({ kind: 'step', ...base, error: outcome.error });
      emit({ kind: 'entry-end', ...base, status: 'failed', durationMs, error: outcome.error });
      return false;
    }
    if (outcome.status === 'planned') emit({ kind: 'entry-end', ...base, status: 'planned', durationMs, actions: outcome.actions });
    else emit({ kind: 'entry-end', ...base, status: outcome.status, durationMs, outputs: outcome.outputs, ...(outcome.reason ? { reason: outcome.reason } : {}) });
    return true;
  };

  type Outcome = EntryOutcome & { reason?: string };
  const execute = async (
    entry: PlanEntry,
    entrySignal: AbortSignal,
    report: (event: { kind: 'entry-output'; stream: 'stdout' | 'stderr'; line: string } | { kind: 'entry-progress'; text: string }) => void,
  ): Promise<Outcome> => {
    const needsInputs = entry.secrets.length > 0 || entry.inputs.length > 0;
    let secrets: SecretBag = {};
    let params = entry.params;
    let outcome: Outcome = { status: 'failed', error: { code: 'INTERNAL', message: `${entry.step} on ${entry.host} ended without a result` } };
    try {
      if (needsInputs) {
        if (!deps.inputs) throw new StepFailure('INTERNAL', `${entry.path} needs ${[...entry.secrets.map((s) => s.name), ...entry.inputs.map((i) => i.param)].join(', ')} but no secret broker was given`);
        let provided: EntryInputs;
        try {
          provided = await deps.inputs.prepare(entry, entrySignal);
        } catch (cause) {
          const error = asEntryError(cause);
          outcome = { status: 'failed', error: { ...error, code: entrySignal.aborted ? 'CANCELLED' : 'INPUTS_UNAVAILABLE', message: `could not get ${entry.path} its secrets or inputs: ${error.message}` } };
          return outcome;
        }
        if (provided.skip !== undefined) {
          outcome = { status: 'noop', outputs: {}, reason: provided.skip };
          return outcome;
        }
        secrets = provided.secrets;
        // Only declared inputs are taken: the steps' schemas are strict.
        const declared = new Set(entry.inputs.map((input) => input.param));
        params = { ...entry.params, ...Object.fromEntries(Object.entries(provided.params).filter(([name]) => declared.has(name))) };
        const missing = [
          ...entry.secrets.filter((need) => secrets[need.name] === undefined).map((need) => need.name),
          ...entry.inputs.filter((input) => input.required && params[input.param] === undefined).map((input) => input.param),
        ];
        if (missing.length > 0) {
          outcome = { status: 'failed', error: { code: 'INPUTS_UNAVAILABLE', message: `the broker did not provide ${missing.join(', ')} for ${entry.path}` } };
          return outcome;
        }
      }
      const clean = (text: string) => redact(text, Object.values(secrets));
      const handle = deps.runner.runStep({ host: entry.runOn ?? entry.host, step: entry.step, params, secrets, signal: entrySignal, ...(deps.dryRun ? { dryRun: true } : {}) });
      for await (const progress of handle) {
        if (progress.kind === 'output') report({ kind: 'entry-output', stream: progress.stream, line: clean(progress.line) });
        else report({ kind: 'entry-progress', text: clean(progress.text) });
      }
      const result = await handle;
      outcome =
        result.kind === 'planned'
          ? { status: 'planned', actions: result.actions.map(clean) }
          : result.kind === 'noop'
            ? { status: 'noop', outputs: result.outputs, reason: clean(result.reason) }
            : { status: 'done', outputs: result.outputs };
      return outcome;
    } catch (cause) {
      outcome = { status: 'failed', error: asEntryError(cause, secrets) };
      if (entrySignal.aborted && outcome.error.code === 'INTERNAL') outcome.error.code = 'CANCELLED';
      return outcome;
    } finally {
      // The broker learns every outcome, also of a prepare that failed halfway (e.g. after
      // a token id was journaled); its own failures must not hide the entry's outcome.
      if (needsInputs) await deps.inputs?.finish?.(entry, outcome).catch(() => undefined);
    }
  };

  /** Hosts a `drop-host` stage took out of the rest of the run. */
  const dropped = new Set<string>();

  /** Runs the stage's host lanes; `failed`: some entry failed, `goOn`: the run may continue. */
  const runLanes = async (stage: PlanStage): Promise<{ failed: boolean; goOn: boolean }> => {
    const policy = stage.afterHostFailure ?? 'stop';
    const pending = lanesOf(stage.entries).filter((lane) => !dropped.has(lane[0]?.host ?? ''));
    let stopped = false;
    let failed = false;
    const worker = async () => {
      for (let lane = pending.shift(); lane && !stopped; lane = pending.shift()) {
        const host = lane[0]?.host ?? '';
        let ok = true;
        let index = 0;
        for (; index < lane.length; index++) {
          if (stopped || signal.aborted) {
            ok = false;
            break;
          }
          if (!(await runEntry(lane[index]!))) {
            ok = false;
            failed = true;
            if (policy === 'stop') stopped = true;
            if (policy === 'drop-host') dropped.add(host);
            index++;
            break;
          }
        }
        // A lane cut short, by a failure or a cancel, still runs its cleanup entries (e.g. a
        // join token's delete) under a grace (withGrace); the host stays failed. One that does
        // not finish in time is left to the next run (the token ledger has the id).
        if (!ok && index > 0) {
          for (const entry of lane.slice(index).filter((candidate) => candidate.cleanup)) {
            const grace = withGrace();
            await runEntry(entry, grace.signal).finally(grace.dispose);
          }
        }
        emit({ kind: 'host-end', stage: stage.id, host, ok });
      }
    };
    const workers = Array.from({ length: Math.min(laneLimit(stage, pending.length), pending.length) }, worker);
    await Promise.all(workers);
    return { failed, goOn: !signal.aborted && (!failed || policy === 'drop-host') };
  };

  /** Runs one stage; resolves whether the run goes on to the next stage. */
  const runStage = async (stage: PlanStage): Promise<boolean> => {
    const started = now();
    emit({ kind: 'stage-start', stage: stage.id, title: stage.title, concurrency: stage.concurrency, entries: stage.entries.length });
    let ok = true;
    let goOn = true;
    for (const readiness of stage.before) if (ok && !signal.aborted) ok = await waitFor(stage.id, readiness);
    if (ok) {
      const lanes = await runLanes(stage);
      ok = !lanes.failed;
      goOn = lanes.goOn;
    } else goOn = false;
    for (const readiness of stage.after) if (ok && !signal.aborted) ok = goOn = await waitFor(stage.id, readiness);
    const cancelled = signal.aborted;
    emit({ kind: 'stage-end', stage: stage.id, status: cancelled ? 'cancelled' : ok ? 'done' : 'failed', durationMs: now() - started });
    return goOn && !cancelled;
  };

  try {
    for (const stage of plan.stages) if (signal.aborted || !(await runStage(stage))) break;
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
  }
  const entries = plan.stages.flatMap((stage) =>
    stage.entries.map((entry) => ({ path: entry.path, stage: entry.stage, host: entry.host, step: entry.step, status: status.get(entry) ?? 'not-run' })),
  );
  const cancelled = signal.aborted;
  if (cancelled && failures.length === 0) {
    const stage = plan.stages.find((candidate) => candidate.entries.some((entry) => !status.has(entry)))?.id;
    failures.push({ kind: 'cancelled', ...(stage ? { stage } : {}), message: 'the run was cancelled before it finished' });
  }
  return { ok: failures.length === 0 && !cancelled, cancelled, failures, entries };
}

/** Failures grouped by host ("" for failures that belong to no host). */
export function failuresByHost(report: RunReport): Map<string, RunFailure[]> {
  const byHost = new Map<string, RunFailure[]>();
  for (const failure of report.failures) {
    const host = failure.host ?? '';
    byHost.set(host, [...(byHost.get(host) ?? []), failure]);
  }
  return byHost;
}
