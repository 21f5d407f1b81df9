import type { StepRequest__Output } from '@kumi/proto';
import type { AnyStep, RunStepOptions, SecretBag, StepOutcome } from '@kumi/steps';
import type { Logger } from 'pino';
import { loadPartFromAssets, partFromSource, type LoadedPart } from '../runtime/agent-parts';
import type { FactsCache } from '../facts/facts-cache';
import { failedBody, type EventRecorder } from './event-recorder';
import type * as StepLibraryModule from './step-library';

/** What the runner needs; tests swap the step lookup and executor. */
export interface StepRunnerDeps {
  recorder: EventRecorder;
  logger: Logger;
  /** Root every step path is resolved under ("/" on a real host). */
  root: string;
  /** The host's facts in memory (see FactsCache); told when a run may have changed the host. */
  facts: Pick<FactsCache, 'current' | 'hostChanged'>;
  findStep?: (id: string) => AnyStep | undefined;
  runStep?: (step: AnyStep, options: RunStepOptions) => Promise<StepOutcome>;
  /** Loads the step library (default: the `steps` part, or the source outside the executable). */
  loadLibrary?: () => Promise<LoadedPart<StepLibrary>>;
}

/**
 * The step catalogue and its executor: most of the agent's code (every step's zod
 * schemas, execa, the renderers). An agent that idles attached never needs them, so they
 * are loaded on the first step request and let go of after STEP_LIBRARY_KEEP_MS without
 * one; in the single executable they are the `steps` part, which is then garbage.
 */
export type StepLibrary = typeof StepLibraryModule;

/** How long the step library stays loaded after the last run ended (a build sends bursts). */
export const STEP_LIBRARY_KEEP_MS = 120_000;

async function loadStepLibrary(): Promise<LoadedPart<StepLibrary>> {
  return typeof KUMI_AGENT_PARTS_ARE_ASSETS !== 'undefined' && KUMI_AGENT_PARTS_ARE_ASSETS
    ? loadPartFromAssets<StepLibrary>('steps')
    : partFromSource(await import('./step-library'));
}

interface CurrentRun {
  runId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs step requests one at a time. A request that arrives while another runs is refused
 * at once with FAILED/LOCKED (never queued); Cancel aborts the run in hand.
 */
export class StepRunner {
  #current: CurrentRun | undefined;
  #library: Promise<LoadedPart<StepLibrary>> | undefined;
  #releaseTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: StepRunnerDeps) {}

  /** The run in hand, or "" when idle. */
  get busyRunId(): string {
    return this.#current?.runId ?? '';
  }

  /** Settles when the run in hand (if any) has ended. */
  idle(): Promise<void> {
    return this.#current?.done ?? Promise.resolve();
  }

  /** Starts a run, or refuses it; returns at once (events report the rest). */
  handle(request: StepRequest__Output): void {
    const { recorder, logger } = this.deps;
    if (this.#current?.runId === request.runId) {
      logger.warn({ runId: request.runId }, 'step request for the run already in hand ignored (duplicate)');
      return;
    }
    if (this.#current) {
      logger.warn({ runId: request.runId, step: request.step, busyRunId: this.#current.runId }, 'step request refused: another step is running');
      recorder.record(request.runId, request.step, failedBody('LOCKED', `the agent is already running run ${this.#current.runId}; retry when it has ended`));
      return;
    }
    const abort = new AbortController();
    const current: CurrentRun = { runId: request.runId, abort, done: Promise.resolve() };
    this.#current = current;
    current.done = this.#run(request, abort.signal)
      // The run records its own outcome; this only catches what recording itself threw
      // (the outbox's disk), which must not become an unhandled rejection that ends the agent.
      .catch((error: unknown) => logger.error({ runId: request.runId, error: (error as Error)?.message ?? String(error) }, 'step run ended without its outcome recorded'))
      .finally(() => {
        if (this.#current === current) this.#current = undefined;
        // One timer for the agent's life, restarted at each run's end (refresh() also re-arms it
        // after it fired): no timer made and cleared per step. It does nothing while a run is in hand.
        if (this.#releaseTimer) this.#releaseTimer.refresh();
        else this.#releaseTimer = setTimeout(() => this.#current === undefined && this.#releaseLibrary(), STEP_LIBRARY_KEEP_MS).unref();
      });
  }

  /** Aborts the run if it is the one in hand; the run then ends FAILED/CANCELLED. */
  cancel(runId: string): void {
    if (this.#current?.runId !== runId) {
      this.deps.logger.info({ runId }, 'cancel for a run not in hand ignored');
      return;
    }
    this.deps.logger.info({ runId }, 'cancelling step');
    this.#current.abort.abort();
  }

  /** Lets go of the step library; the next request loads it again. */
  #releaseLibrary(): void {
    const library = this.#library;
    this.#library = undefined;
    void library
      ?.then((loaded) => {
        const stuck = loaded.release();
        if (stuck.length > 0) this.deps.logger.warn({ globals: stuck.map(String) }, 'the step library left globals it cannot take back; it stays in memory');
      })
      .catch(() => undefined);
  }

  async #run(request: StepRequest__Output, signal: AbortSignal): Promise<void> {
    const { recorder } = this.deps;
    // Noted before anything is awaited, so that a crash from here on is reported as an
    // interrupted run when the agent restarts.
    recorder.begin(request.runId, request.step);
    try {
      let library: StepLibrary;
      try {
        this.#library ??= (this.deps.loadLibrary ?? loadStepLibrary)();
        library = (await this.#library).exports;
      } catch (error) {
        this.#library = undefined;
        recorder.record(request.runId, request.step, failedBody('INTERNAL', `the agent could not load its step catalogue: ${(error as Error)?.message ?? String(error)}`));
        return;
      }
      await this.#runWith(library, request, signal).catch((error: unknown) => {
        recorder.record(request.runId, request.step, failedBody('INTERNAL', `the agent failed while running the step: ${(error as Error)?.message ?? String(error)}`));
      });
    } finally {
      // The run's end on disk now, with the rest of its events: one write and one fsync
      // for a short step.
      recorder.flush();
    }
  }

  async #runWith(library: StepLibrary, request: StepRequest__Output, signal: AbortSignal): Promise<void> {
    const { recorder, logger } = this.deps;
    const { runId } = request;
    const { findStep: findCatalogueStep, redactorFor, Secret, StepFailure, runStep: runCatalogueStep } = library;
    const secrets: SecretBag = Object.fromEntries(Object.entries(request.secrets ?? {}).map(([name, value]) => [name, new Secret(value)]));
    // The executor's redactor: also each line of a multi-line secret (a PEM key), built once per run.
    const clean = redactorFor(Object.values(secrets));
    const emit: EventRecorder['record'] = (id, step, body) => recorder.record(id, step, body, clean);

    const step = (this.deps.findStep ?? findCatalogueStep)(request.step);
    if (!step) {
      emit(runId, request.step, failedBody('UNKNOWN_STEP', `no step "${request.step}" in this agent's catalogue; check the step id or upgrade the agent`));
      return;
    }
    // One log line per run that changed the host or failed, at its end (a no-op, and the start,
    // at debug level): a fleet's no-op steps are most of an agent's work, and a line costs as
    // much as the check.
    const fields = { runId, step: step.id, dryRun: request.dryRun };
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    logger.debug(fields, 'step started');
    emit(runId, step.id, { kind: 'EVENT_KIND_START', text: step.title });
    // The executor reports each action before it runs it and only then any output: from
    // the first report on, the run may have changed the host.
    let actionsBegan = false;
    try {
      const params = parseParamsJson(request.paramsJson, StepFailure);
      const outcome = await (this.deps.runStep ?? runCatalogueStep)(step, {
        root: this.deps.root,
        facts: await this.deps.facts.current(),
        params,
        secrets,
        dryRun: request.dryRun,
        signal,
        onProgress: (progress) => {
          actionsBegan = true;
          if (progress.kind === 'output') {
            emit(runId, step.id, {
              kind: 'EVENT_KIND_OUTPUT',
              text: progress.line,
              stream: progress.stream === 'stderr' ? 'OUTPUT_STREAM_STDERR' : 'OUTPUT_STREAM_STDOUT',
            });
          } else {
            emit(runId, step.id, { kind: 'EVENT_KIND_PROGRESS', text: progress.text });
          }
        },
      });
      if (outcome.status === 'noop') {
        emit(runId, step.id, { kind: 'EVENT_KIND_NOOP', text: outcome.reason, outputsJson: JSON.stringify(outcome.outputs) });
        // At debug level: a fleet's repeated no-op steps are most of what an agent runs, and
        // the coordinator keeps each run's events; a run that changed or failed is logged below.
        logger.debug({ ...fields, ms: ms(), reason: clean(outcome.reason) }, 'step needed nothing');
      } else {
        if (outcome.status !== 'planned') this.deps.facts.hostChanged();
        // kumi.v1: a dry run ends PLANNED with the actions it would take; a real run ends DONE.
        emit(runId, step.id, outcome.status === 'planned' ? { kind: 'EVENT_KIND_PLANNED', planned: outcome.planned } : { kind: 'EVENT_KIND_DONE', outputsJson: JSON.stringify(outcome.outputs) });
        logger.info({ ...fields, ms: ms(), actions: outcome.planned.length }, outcome.status === 'planned' ? 'step planned (dry run)' : 'step done');
      }
    } catch (error) {
      if (actionsBegan) this.deps.facts.hostChanged();
      const body = failureBody(error, signal, StepFailure);
      emit(runId, step.id, body);
      logger.warn({ ...fields, ms: ms(), code: body.error?.code, error: clean(body.error?.message ?? '') }, 'step failed');
    }
  }
}

/** The step library's error class (loaded lazily, so passed in rather than imported). */
type StepFailureClass = StepLibrary['StepFailure'];

function parseParamsJson(text: string, StepFailure: StepFailureClass): unknown {
  if (text.trim().length === 0) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StepFailure('INVALID_PARAMS', `params_json is not valid JSON (${(error as Error).message}); send the parameters as one JSON object`);
  }
}

function failureBody(error: unknown, signal: AbortSignal, StepFailure: StepFailureClass): ReturnType<typeof failedBody> {
  if (error instanceof StepFailure) {
    return failedBody(error.code, error.message, { exitCode: error.exitCode, stderrTail: error.stderrTail, command: error.command });
  }
  if (signal.aborted) return failedBody('CANCELLED', 'the step was cancelled');
  return failedBody('INTERNAL', `the agent failed while running the step: ${(error as Error)?.message ?? String(error)}`);
}
