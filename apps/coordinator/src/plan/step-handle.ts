import type { EntryError, HostRunner, StepRunRequest } from './scheduler-types';

/** What a host reports while it runs a step. */
export type StepProgressEvent = { kind: 'output'; stream: 'stdout' | 'stderr'; line: string } | { kind: 'progress'; text: string };

/**
 * How a step run ended when it did not fail: `done` (it changed the host), `noop` (nothing
 * was needed, with why), or `planned` (a dry run that found work: the actions it would take).
 */
export type StepResult =
  | { kind: 'done'; outputs: Record<string, unknown> }
  | { kind: 'noop'; reason: string; outputs: Record<string, unknown> }
  | { kind: 'planned'; actions: string[] };

/** What a transport yields for one step run: progress, then exactly one ending (a result or a failure). */
export type HostStepEvent = StepProgressEvent | StepResult | { kind: 'failed'; error: EntryError };

/** A step run that ended FAILED (or never ended): the typed error, with where it happened. */
export class StepRunError extends Error {
  readonly host: string;
  readonly step: string;
  readonly error: EntryError;

  constructor(host: string, step: string, error: EntryError) {
    super(`${step} on ${host} failed: ${error.code}: ${error.message}`);
    this.name = 'StepRunError';
    this.host = host;
    this.step = step;
    this.error = error;
  }

  /** The error code, e.g. COMMAND_FAILED or NOT_ATTACHED. */
  get code(): EntryError['code'] {
    return this.error.code;
  }
}

type Ending = { ok: true; result: StepResult } | { ok: false; error: StepRunError };

function endingOf(host: string, step: string, event: HostStepEvent): Ending | undefined {
  switch (event.kind) {
    case 'done':
    case 'noop':
    case 'planned':
      return { ok: true, result: event };
    case 'failed':
      return { ok: false, error: new StepRunError(host, step, event.error) };
    default:
      return undefined;
  }
}

/**
 * One step run on one host, as the one way every caller sees it: `for await` over it
 * yields the progress (output lines, progress texts), `await` on it gives the result, and
 * a failure rejects with a StepRunError. Both read the same single run, which starts when
 * it is first read (nothing is buffered for a reader who never comes): iterate first and
 * then await (the await returns at once), or only await (progress is skipped). A run
 * whose events stop without an ending, or whose reader stops iterating early, ends in a
 * StepRunError (INTERNAL, CANCELLED). Never rejects unobserved: the outcome is kept as
 * data until someone awaits it.
 */
export class StepHandle implements AsyncIterable<StepProgressEvent>, PromiseLike<StepResult> {
  readonly host: string;
  readonly step: string;
  readonly #events: AsyncIterable<HostStepEvent>;
  #started = false;
  #ending: Ending | undefined;
  readonly #ended: Promise<Ending>;
  #settle!: (ending: Ending) => void;

  constructor(host: string, step: string, events: AsyncIterable<HostStepEvent>) {
    this.host = host;
    this.step = step;
    this.#events = events;
    this.#ended = new Promise<Ending>((resolve) => (this.#settle = resolve));
  }

  /** A handle that failed before anything was sent (e.g. the host is not attached). */
  static failed(host: string, step: string, error: EntryError): StepHandle {
    return new StepHandle(host, step, (async function* () {
      yield { kind: 'failed', error } as HostStepEvent;
    })());
  }

  #end(ending: Ending): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.#settle(ending);
  }

  #fail(code: EntryError['code'], message: string): void {
    this.#end({ ok: false, error: new StepRunError(this.host, this.step, { code, message }) });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StepProgressEvent> {
    if (this.#started) throw new Error(`the events of ${this.step} on ${this.host} are read once: iterate the handle or await it, not twice`);
    this.#started = true;
    try {
      for await (const event of this.#events) {
        const ending = endingOf(this.host, this.step, event);
        if (ending) {
          this.#end(ending);
          return;
        }
        yield event as StepProgressEvent;
      }
      this.#fail('INTERNAL', `${this.step} on ${this.host} ended without a result`);
    } catch (cause) {
      this.#fail('INTERNAL', `${this.step} on ${this.host}: ${cause instanceof Error ? cause.message : String(cause)}`);
    } finally {
      // The reader stopped early: the transport was told (for await returns it), the run counts as cancelled.
      this.#fail('CANCELLED', `stopped reading ${this.step} on ${this.host} before it ended`);
    }
  }

  /** The outcome: resolves with the result, rejects with a StepRunError. */
  then<A = StepResult, B = never>(onResult?: ((result: StepResult) => A | PromiseLike<A>) | null, onError?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    if (!this.#started) void this.#drain();
    return this.#ended.then((ending) => (ending.ok ? ending.result : Promise.reject(ending.error))).then(onResult, onError);
  }

  /** Reads the run to its end without showing progress. */
  async #drain(): Promise<void> {
    for await (const _progress of this) {
      // Progress nobody asked for.
    }
  }
}

/** A HostRunner from a function that yields each step run's events (a transport, or a test's fake host). */
export function hostRunnerOf(events: (request: StepRunRequest) => AsyncIterable<HostStepEvent>): HostRunner {
  return { runStep: (request) => new StepHandle(request.host, request.step, events(request)) };
}
