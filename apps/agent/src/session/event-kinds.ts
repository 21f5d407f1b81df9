import type { ErrorCode__Output, StepEvent } from '@kumi/proto';

/** A step event as the agent keeps and sends it: every field set, enums as names. */
export type AgentEvent = Required<Pick<StepEvent, 'runId' | 'host' | 'step' | 'text' | 'outputsJson' | 'planned'>> & {
  seq: number;
  timeUnixMs: number;
  kind: 'EVENT_KIND_START' | 'EVENT_KIND_OUTPUT' | 'EVENT_KIND_PROGRESS' | 'EVENT_KIND_NOOP' | 'EVENT_KIND_DONE' | 'EVENT_KIND_FAILED' | 'EVENT_KIND_PLANNED';
  stream: 'OUTPUT_STREAM_UNSPECIFIED' | 'OUTPUT_STREAM_STDOUT' | 'OUTPUT_STREAM_STDERR';
  error: AgentEventError | null;
};

/** kumi.v1.StepError with the code as its enum name. */
export interface AgentEventError {
  code: ErrorCode__Output;
  message: string;
  exitCode: number;
  stderrTail: string;
  command: string;
}

/** Whether this event ends its run: nothing follows it. */
export function isTerminal(event: Pick<AgentEvent, 'kind'>): boolean {
  return event.kind === 'EVENT_KIND_DONE' || event.kind === 'EVENT_KIND_NOOP' || event.kind === 'EVENT_KIND_FAILED' || event.kind === 'EVENT_KIND_PLANNED';
}
