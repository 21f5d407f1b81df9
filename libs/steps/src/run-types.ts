import type { HostFacts } from './facts';
import type { SecretBag } from './step';

/** Error codes a step run can end with; they map 1:1 onto kumi.v1.ErrorCode. */
export type StepErrorCode =
  | 'LOCKED'
  | 'UNKNOWN_STEP'
  | 'INVALID_PARAMS'
  | 'CHECK_FAILED'
  | 'COMMAND_FAILED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'INTERRUPTED'
  | 'UNSUPPORTED_HOST'
  | 'NOT_ATTACHED'
  | 'INTERNAL'
  | 'FILE_FAILED';

/** A typed step failure: data, so it can cross the wire as it is. */
export class StepFailure extends Error {
  readonly code: StepErrorCode;
  /** COMMAND_FAILED: the exit code, -1 when the command could not start or was killed. */
  readonly exitCode: number;
  /** COMMAND_FAILED: last lines of standard error (secrets redacted). */
  readonly stderrTail: string;
  /** COMMAND_FAILED: the command line (holds no secrets by construction). */
  readonly command: string;

  constructor(
    code: StepErrorCode,
    message: string,
    detail: { exitCode?: number; stderrTail?: string; command?: string; cause?: unknown } = {},
  ) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.name = 'StepFailure';
    this.code = code;
    this.exitCode = detail.exitCode ?? 0;
    this.stderrTail = detail.stderrTail ?? '';
    this.command = detail.command ?? '';
  }
}

/** Live progress from a running step. */
export type StepProgress =
  | { kind: 'output'; stream: 'stdout' | 'stderr'; line: string }
  | { kind: 'progress'; text: string };

export interface RunStepOptions {
  /** Root that every host path is resolved under: "/" on a real host. */
  root: string;
  facts: HostFacts;
  /** Raw parameters; checked against the step's schema (INVALID_PARAMS otherwise). */
  params: unknown;
  secrets: SecretBag;
  /** Plan only: report the actions, change nothing. */
  dryRun: boolean;
  /** Aborting cancels the step (CANCELLED); running commands are killed. */
  signal?: AbortSignal;
  onProgress?: (progress: StepProgress) => void;
  /**
   * Called with the argv of every command about to be spawned (actions, waits and
   * probes), before it starts. For audits and tests (e.g. "no secret in argv").
   */
  spawnObserver?: (argv: readonly string[]) => void;
}

/** How a step run ended when it did not fail. */
export type StepOutcome =
  | { status: 'noop'; reason: string; outputs: Record<string, unknown> }
  | { status: 'done'; outputs: Record<string, unknown>; planned: string[] }
  /** A dry run that found work to do: `planned` lists what would run; nothing ran. */
  | { status: 'planned'; planned: string[] };
