/**
 * What the progress views show: stage boundaries from the scheduler, and per-host step
 * events from the agents. One flat shape so `--json` consumers need no special cases.
 */
export interface ProgressEvent {
  /** ISO time. */
  time: string;
  kind: ProgressKind;
  stage: string;
  /** Empty for stage-level and run-level events. */
  host: string;
  step: string;
  /** 1, 2, 3, ... over every event of one command run, without gaps. */
  seq: number;
  /** Title, output line, progress message, noop reason, or what is awaited. */
  text: string;
  /** The plan path `stage/step@host` of entry events (absent for stage and run events). */
  path?: string;
  error?: { code: string; message: string; exitCode?: number; stderrTail?: string; command?: string };
  /** DONE and NOOP: the step's typed outputs (e.g. kubeadm.init's CA hash), for tools reading `--json`. */
  outputs?: Record<string, unknown>;
  /** FAILURE events: the command that retries just what failed. */
  retry?: string;
}

/**
 * Event kinds. Run: RUN_START, RUN_DONE, RUN_FAILED, and one FAILURE per failure at the
 * end. Stage: STAGE_START, STAGE_DONE, STAGE_FAILED. Readiness: WAITING (also while it
 * waits, saying what for), READY, NOT_READY. Entry: START, OUTPUT, PROGRESS, then NOOP,
 * DONE, PLANNED (a dry run found work; nothing changed), FAILED or SKIPPED (the journal
 * says done and a re-check agreed).
 */
export type ProgressKind =
  | 'RUN_START'
  | 'RUN_DONE'
  | 'RUN_FAILED'
  | 'FAILURE'
  | 'STAGE_START'
  | 'STAGE_DONE'
  | 'STAGE_FAILED'
  | 'WAITING'
  | 'READY'
  | 'NOT_READY'
  | 'START'
  | 'OUTPUT'
  | 'PROGRESS'
  | 'NOOP'
  | 'PLANNED'
  | 'DONE'
  | 'FAILED'
  | 'SKIPPED';

/** Something that shows progress: a live terminal view, plain lines, or NDJSON. */
export interface ProgressView {
  event(event: ProgressEvent): void;
  /** Ends the view (stops redrawing). */
  close(): void;
}
