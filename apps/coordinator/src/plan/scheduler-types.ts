import type { SecretBag, StepErrorCode } from '@kumi/steps';
import type { StepHandle } from './step-handle';
import type { Concurrency, PlanEntry, Readiness, StageId } from './types';

/** Why an entry failed: data, never one concatenated string. Holds no secret. */
export interface EntryError {
  code: StepErrorCode | 'READINESS_FAILED' | 'INPUTS_UNAVAILABLE';
  message: string;
  /** COMMAND_FAILED: the command's exit code. */
  exitCode?: number;
  /** COMMAND_FAILED: last lines of its standard error (redacted). */
  stderrTail?: string;
  /** COMMAND_FAILED: the command line (never holds secrets). */
  command?: string;
}

/** One step for one host, as the scheduler asks for it. */
export interface StepRunRequest {
  host: string;
  step: string;
  params: Record<string, unknown>;
  secrets: SecretBag;
  /** Plan only: the step ends `planned` (or `noop`) and changes nothing. */
  dryRun?: boolean;
  signal: AbortSignal;
}

/**
 * Runs steps on hosts (the coordinator maps it onto the agents' gRPC sessions, `kumi run`
 * onto `kumi serve`'s control socket): one StepHandle per step run.
 */
export interface HostRunner {
  runStep(request: StepRunRequest): StepHandle;
}

/** Where the scheduler is when it waits for a readiness condition. */
export interface ReadinessContext {
  stage: StageId;
  /** The entry a gate protects, when it is a gate. */
  entry?: PlanEntry;
  signal: AbortSignal;
  /** Reports what is still awaited, e.g. "2 of 6 agents attached". */
  onProgress(text: string): void;
}

/** Waits for a readiness condition; resolves when it holds, rejects when it cannot. */
export interface ReadinessChecker {
  wait(readiness: Readiness, context: ReadinessContext): Promise<void>;
}

/** What an entry gets from the broker right before it runs. */
export interface EntryInputs {
  secrets: SecretBag;
  /** Runtime parameters (e.g. caCertHashes), merged over the entry's params. */
  params: Record<string, unknown>;
  /** Nothing to do (e.g. no token left to delete): the entry ends NOOP with this reason, unsent. */
  skip?: string;
}

/** How an entry ended, as the broker sees it after the run. */
export type EntryOutcome =
  | { status: 'done' | 'noop'; outputs: Record<string, unknown> }
  | { status: 'planned'; actions: string[]; outputs?: undefined }
  | { status: 'failed'; error: EntryError };

/**
 * Mints secrets and fills runtime inputs just in time, and learns how the entry ended
 * (e.g. that a token was deleted). Called only for entries with secrets or inputs.
 */
export interface EntryInputsProvider {
  prepare(entry: PlanEntry, signal: AbortSignal): Promise<EntryInputs>;
  finish?(entry: PlanEntry, outcome: EntryOutcome): Promise<void>;
}

/**
 * How an entry ended in a run. `planned`: a dry run found work to do (nothing changed);
 * `already-done`: isDone said so; `not-run`: a failure stopped the run (or its host) first.
 */
export type EntryStatus = 'done' | 'noop' | 'planned' | 'already-done' | 'failed' | 'not-run';

interface EventBase {
  /** 1, 2, 3, ... within one scheduler run. */
  seq: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  stage: StageId;
}

interface EntryEventBase extends EventBase {
  host: string;
  step: string;
  path: string;
}

/** Typed progress of a run, in order. Never carries a secret. */
export type SchedulerEvent =
  | (EventBase & { kind: 'stage-start'; title: string; concurrency: Concurrency; entries: number })
  | (EventBase & { kind: 'stage-end'; status: 'done' | 'failed' | 'cancelled'; durationMs: number })
  | (EventBase & { kind: 'readiness-wait'; readiness: string; waitsFor: string; host?: string; path?: string })
  | (EventBase & { kind: 'readiness-progress'; readiness: string; text: string; host?: string; path?: string })
  | (EventBase & { kind: 'readiness-end'; readiness: string; ok: boolean; message?: string; host?: string; path?: string; durationMs: number })
  /** A host finished its entries of the stage (`ok`), or stopped at a failure or cancellation. */
  | (EventBase & { kind: 'host-end'; host: string; ok: boolean })
  | (EntryEventBase & { kind: 'entry-start' })
  | (EntryEventBase & { kind: 'entry-output'; stream: 'stdout' | 'stderr'; line: string })
  | (EntryEventBase & { kind: 'entry-progress'; text: string })
  | (EntryEventBase & {
      kind: 'entry-end';
      status: EntryStatus;
      durationMs: number;
      reason?: string;
      outputs?: Record<string, unknown>;
      /** `planned`: what the dry run would do. */
      actions?: string[];
      error?: EntryError;
    });

/** Anything that stopped a run, per host where there is one. */
export type RunFailure =
  | { kind: 'step'; stage: StageId; host: string; step: string; path: string; error: EntryError }
  | { kind: 'readiness'; stage: StageId; readiness: string; waitsFor: string; message: string; host?: string; path?: string }
  | { kind: 'cancelled'; stage?: StageId; message: string; host?: undefined };

/** The outcome of a whole run. */
export interface RunReport {
  ok: boolean;
  cancelled: boolean;
  failures: RunFailure[];
  /** Every entry of the plan and how it ended, in plan order. */
  entries: Array<{ path: string; stage: StageId; host: string; step: string; status: EntryStatus }>;
}

/** Everything the scheduler acts through: it has no I/O of its own. */
export interface SchedulerDeps {
  runner: HostRunner;
  readiness: ReadinessChecker;
  inputs?: EntryInputsProvider;
  /** Resume: true when the journal says the entry already finished (it is skipped). */
  isDone?(entry: PlanEntry): boolean | Promise<boolean>;
  onEvent?(event: SchedulerEvent): void;
  signal?: AbortSignal;
  now?(): number;
  /** Every entry runs as a dry run: it ends `planned` or `noop` and changes nothing. */
  dryRun?: boolean;
  /** How long a lane's cleanup entries may still run once the run was cancelled (default CLEANUP_GRACE_MS). */
  cleanupGraceMs?: number;
}
