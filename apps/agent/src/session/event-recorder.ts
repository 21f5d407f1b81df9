import type { StepErrorCode } from '@kumi/steps';
import type { Outbox } from '../state/outbox';
import type { ErrorCode__Output } from '@kumi/proto';
import { type AgentEvent, type AgentEventError, isTerminal } from './event-kinds';

/** The parts of an event its producer chooses; the recorder fills in the rest. */
export interface EventBody {
  kind: AgentEvent['kind'];
  text?: string;
  stream?: AgentEvent['stream'];
  outputsJson?: string;
  error?: AgentEventError | null;
  planned?: string[];
}

/**
 * Numbers, stamps, redacts and persists step events, then hands them to whoever is
 * connected once they are on disk (the outbox writes them in bursts). Seq counts 1, 2, 3 ... per run, continuing where the outbox left off.
 */
export class EventRecorder {
  readonly #seqs = new Map<string, number>();
  #listener: ((event: AgentEvent) => void) | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly host: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sets (or clears) where new events go once they are on disk; events already on disk are the outbox's pending ones. */
  onEvent(listener: ((event: AgentEvent) => void) | undefined): void {
    this.#listener = listener;
  }

  /** Records one event of a run; `redact` removes the run's secret values from every text field. */
  record(runId: string, step: string, body: EventBody, redact: (text: string) => string = (text) => text): AgentEvent {
    const seq = (this.#seqs.get(runId) ?? this.outbox.lastSeq(runId)) + 1;
    this.#seqs.set(runId, seq);
    const event: AgentEvent = {
      runId,
      seq,
      host: this.host,
      step,
      kind: body.kind,
      timeUnixMs: this.now(),
      text: redact(body.text ?? ''),
      stream: body.stream ?? 'OUTPUT_STREAM_UNSPECIFIED',
      outputsJson: redact(body.outputsJson ?? ''),
      error: body.error
        ? {
            ...body.error,
            message: redact(body.error.message),
            stderrTail: redact(body.error.stderrTail),
            command: redact(body.error.command),
          }
        : null,
      planned: (body.planned ?? []).map(redact),
    };
    // Handed on once its burst is on disk: whoever is connected then sends it.
    this.outbox.append(event, (durable) => this.#listener?.(durable));
    if (isTerminal(event)) this.#seqs.delete(runId);
    return event;
  }

  /** Notes on disk that the run is in hand, before its first event: a crash from here on is reported by the next start. */
  begin(runId: string, step: string): void {
    this.outbox.begin({ runId, step, startedAtMs: this.now() });
  }

  /** Writes the events recorded so far to disk now, instead of at the end of their burst. */
  flush(): void {
    this.outbox.flush();
  }
}

/** A FAILED event body with a typed error. */
export function failedBody(code: StepErrorCode, message: string, detail: Partial<Omit<AgentEventError, 'code' | 'message'>> = {}): EventBody {
  return {
    kind: 'EVENT_KIND_FAILED',
    text: message,
    error: {
      code: `ERROR_CODE_${code}` satisfies ErrorCode__Output,
      message,
      exitCode: detail.exitCode ?? 0,
      stderrTail: detail.stderrTail ?? '',
      command: detail.command ?? '',
    },
  };
}
