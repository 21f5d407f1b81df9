/**
 * What the progress views show: stage boundaries from the scheduler, and per-host step
 * events from the agents. One flat shape so `--json` consumers need no special cases.
 */
export interface ProgressEvent {
  /** ISO time. */
  time: string;
  kind:
    | 'STAGE_START'
    | 'STAGE_DONE'
    | 'STAGE_FAILED'
    | 'WAITING'
    | 'START'
    | 'OUTPUT'
    | 'PROGRESS'
    | 'NOOP'
    | 'DONE'
    | 'FAILED';
  stage: string;
  /** Empty for stage-level events. */
  host: string;
  step: string;
  /** Per-run sequence number of agent events; 0 for coordinator events. */
  seq: number;
  /** Title, output line, progress message, noop reason, or what is awaited. */
  text: string;
  error?: { code: string; message: string; exitCode?: number; stderrTail?: string; command?: string };
}

/** Something that shows progress: a live terminal view, plain lines, or NDJSON. */
export interface ProgressView {
  event(event: ProgressEvent): void;
  /** Ends the view (stops redrawing). */
  close(): void;
}
