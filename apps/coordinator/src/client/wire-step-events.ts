import type { StepEvent, StepEvent__Output } from '@kumi/proto';
import type { EntryError, HostStepEvent } from '../plan';

const ERROR_PREFIX = /^ERROR_CODE_/;

/** A wire event as the agents and `kumi serve` send it (both generated shapes fit). */
type WireEvent = StepEvent | StepEvent__Output;

/** The wire error of a FAILED event as an EntryError (its texts are already redacted by the agent). */
function entryError(event: WireEvent): EntryError {
  const error = event.error;
  const code = String(error?.code ?? 'ERROR_CODE_INTERNAL').replace(ERROR_PREFIX, '');
  return {
    code: (code === 'UNSPECIFIED' ? 'INTERNAL' : code) as EntryError['code'],
    message: error?.message || event.text || 'the step failed without a message',
    ...(error?.exitCode ? { exitCode: Number(error.exitCode) } : {}),
    ...(error?.stderrTail ? { stderrTail: error.stderrTail } : {}),
    ...(error?.command ? { command: error.command } : {}),
  };
}

function outputsOf(event: WireEvent): Record<string, unknown> {
  if (!event.outputsJson) return {};
  try {
    const parsed: unknown = JSON.parse(event.outputsJson);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * One kumi.v1 StepEvent as the step handle reads it; undefined for events it does not
 * carry (START). The one mapping from the wire, for the in-process coordinator and for
 * `kumi serve`'s control socket alike.
 */
export function hostStepEventOf(event: WireEvent): HostStepEvent | undefined {
  switch (event.kind) {
    case 'EVENT_KIND_OUTPUT':
      return { kind: 'output', stream: event.stream === 'OUTPUT_STREAM_STDERR' ? 'stderr' : 'stdout', line: event.text ?? '' };
    case 'EVENT_KIND_PROGRESS':
      return { kind: 'progress', text: event.text ?? '' };
    case 'EVENT_KIND_NOOP':
      return { kind: 'noop', reason: event.text || 'nothing to do', outputs: outputsOf(event) };
    case 'EVENT_KIND_DONE':
      return { kind: 'done', outputs: outputsOf(event) };
    case 'EVENT_KIND_PLANNED':
      return { kind: 'planned', actions: [...(event.planned ?? [])] };
    case 'EVENT_KIND_FAILED':
      return { kind: 'failed', error: entryError(event) };
    default:
      return undefined;
  }
}

/** Event kinds that end a run: nothing follows them. */
export const TERMINAL_KINDS: ReadonlySet<string> = new Set(['EVENT_KIND_DONE', 'EVENT_KIND_NOOP', 'EVENT_KIND_FAILED', 'EVENT_KIND_PLANNED']);
