import type { StepEvent } from '@kumi/proto';
import type { SecretBag } from '@kumi/steps';
import type { EntryError, HostRunner, HostStepEvent } from '../plan';
import { type RunBroker, TERMINAL_KINDS } from '../server/run-broker';

/** One step sent to one attached agent through the in-process RunBroker. */
export interface AgentStepRequest {
  host: string;
  step: string;
  params: Record<string, unknown>;
  /** Revealed only here, into the StepRequest's dedicated secrets field. */
  secrets: SecretBag;
  dryRun?: boolean;
  signal: AbortSignal;
}

/** A step event as kumi up reads it: the scheduler's shape, plus a dry run's plan. */
export type AgentStepEvent = HostStepEvent | { kind: 'planned'; actions: string[] };

const ERROR_PREFIX = /^ERROR_CODE_/;

/** The wire error of a FAILED event as an EntryError (its texts are already redacted by the agent). */
function entryError(event: StepEvent): EntryError {
  const error = event.error;
  const code = String(error?.code ?? 'ERROR_CODE_INTERNAL').replace(ERROR_PREFIX, '');
  return {
    code: (code === 'UNSPECIFIED' ? 'INTERNAL' : code) as EntryError['code'],
    message: error?.message || event.text || 'the step failed without a message',
    ...(error?.exitCode ? { exitCode: error.exitCode } : {}),
    ...(error?.stderrTail ? { stderrTail: error.stderrTail } : {}),
    ...(error?.command ? { command: error.command } : {}),
  };
}

function outputsOf(event: StepEvent): Record<string, unknown> {
  if (!event.outputsJson) return {};
  try {
    const parsed: unknown = JSON.parse(event.outputsJson);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Maps one accepted wire event; undefined for events kumi up does not show (START). */
function mapEvent(event: StepEvent, dryRun: boolean): AgentStepEvent[] {
  switch (event.kind) {
    case 'EVENT_KIND_OUTPUT':
      return [{ kind: 'output', stream: event.stream === 'OUTPUT_STREAM_STDERR' ? 'stderr' : 'stdout', line: event.text ?? '' }];
    case 'EVENT_KIND_PROGRESS':
      return [{ kind: 'progress', text: event.text ?? '' }];
    case 'EVENT_KIND_NOOP':
      return [{ kind: 'noop', reason: event.text || 'nothing to do', outputs: outputsOf(event) }];
    case 'EVENT_KIND_DONE':
      return [...(dryRun ? [{ kind: 'planned' as const, actions: event.planned ?? [] }] : []), { kind: 'done', outputs: outputsOf(event) }];
    case 'EVENT_KIND_FAILED':
      return [{ kind: 'failed', error: entryError(event) }];
    default:
      return [];
  }
}

/**
 * Runs one step on an attached agent and yields its events until it ends. A host that is
 * not attached yields FAILED NOT_ATTACHED; aborting the signal asks the agent to cancel
 * (it answers FAILED CANCELLED, or the run ends CANCELLED here if it cannot).
 */
export async function* agentStepEvents(broker: RunBroker, request: AgentStepRequest): AsyncGenerator<AgentStepEvent> {
  const queue: StepEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const push = (event: StepEvent) => {
    queue.push(event);
    if (TERMINAL_KINDS.has(String(event.kind))) ended = true;
    wake?.();
  };
  const secrets = Object.fromEntries(Object.entries(request.secrets).map(([name, secret]) => [name, secret.reveal()]));
  let handle;
  try {
    handle = broker.start({ host: request.host, step: request.step, paramsJson: JSON.stringify(request.params), secrets, dryRun: request.dryRun === true }, push);
  } catch (error) {
    const message = (error as { details?: string }).details ?? (error as Error).message;
    yield { kind: 'failed', error: { code: 'NOT_ATTACHED', message } };
    return;
  }
  const onAbort = () => {
    handle.abandon();
    wake?.();
  };
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield* mapEvent(event, request.dryRun === true);
        if (TERMINAL_KINDS.has(String(event.kind))) return;
        continue;
      }
      if (request.signal.aborted) {
        yield { kind: 'failed', error: { code: 'CANCELLED', message: `cancelled ${request.step} on ${request.host}; the agent was asked to stop it` } };
        return;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    // Leaving early (the consumer stopped) abandons the run so the agent is not left busy.
    if (!ended) handle.abandon();
  }
}

/** The scheduler's HostRunner over the attached agents. */
export function agentHostRunner(broker: RunBroker): HostRunner {
  return {
    async *runStep(request) {
      for await (const event of agentStepEvents(broker, request)) if (event.kind !== 'planned') yield event;
    },
  };
}
