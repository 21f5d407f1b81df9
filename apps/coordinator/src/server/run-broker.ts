import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { RunStepRequest__Output, StepEvent, StepEvent__Output } from '@kumi/proto';
import { formatDuration } from '../cli/duration';
import type { Logger } from '../logging/logger';
import type { AgentRegistry, AgentSession } from './agent-registry';
import { statusError } from './status-error';

import { TERMINAL_KINDS } from '../client/wire-step-events';


/** Receives the accepted events of one run, each exactly once, in seq order. */
export type RunListener = (event: StepEvent) => void;

/** A started run, as its caller holds it. */
export interface RunHandle {
  runId: string;
  /** Stops listening and asks the agent to cancel the step if it has not ended. */
  abandon(): void;
}

interface RunRecord {
  runId: string;
  host: string;
  step: string;
  lastSeq: number;
  finished: boolean;
  listeners: Set<RunListener>;
  /** Armed while the host is away (or back but silent about this run). */
  lostTimer?: NodeJS.Timeout;
  /** Armed from sending the request until the host's first event of this run. */
  answerTimer?: NodeJS.Timeout;
}

/** Options of the broker. */
export interface RunBrokerOptions {
  /** How long a run waits for its host to come back and report after a disconnect. */
  detachGraceMs?: number;
  /** How many finished runs' last seq are remembered for dedupe of late replays. */
  rememberRuns?: number;
  /** How long an attached host may stay silent about a run it was sent before the run fails TIMEOUT. */
  answerTimeoutMs?: number;
}

/** Default of RunBrokerOptions.answerTimeoutMs: an agent answers every request (START, or FAILED) at once. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 30_000;

/**
 * A long run's events are acknowledged every this many (its end always is): an agent's
 * outbox holds at most this many of a run, and a no-op step (START, NOOP) costs the agent
 * one acknowledgement to receive and write instead of two.
 */
export const ACK_EVERY = 32;

/**
 * Sends steps to attached agents and routes their events back: dedupe by (run, seq),
 * acknowledgement, fan-out to watchers, and a bounded wait when a host drops away in
 * the middle of a run (then a FAILED NOT_ATTACHED event ends it).
 */
export class RunBroker {
  private readonly runs = new Map<string, RunRecord>();
  /** Last accepted seq of runs this coordinator did not start (e.g. before a restart). */
  private readonly foreignLastSeq = new Map<string, number>();
  private readonly detachGraceMs: number;
  private readonly rememberRuns: number;
  private readonly answerTimeoutMs: number;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly agents: AgentRegistry,
    private readonly logger: Logger,
    options: RunBrokerOptions = {},
  ) {
    this.detachGraceMs = options.detachGraceMs ?? 120_000;
    this.rememberRuns = options.rememberRuns ?? 1_000;
    this.answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
    this.unsubscribe = agents.subscribe({
      attached: (session) => this.hostAttached(session),
      detached: (session) => this.hostDetached(session),
    });
  }

  /**
   * Starts a step on an attached host and returns its run. Throws FAILED_PRECONDITION
   * when the host is not attached. Secrets go only into the StepRequest's secrets map.
   */
  start(request: RunStepRequest__Output, listener: RunListener): RunHandle {
    const session = this.agents.get(request.host);
    if (!session) {
      const attached = this.agents.list().map((s) => s.hostName);
      throw statusError(
        status.FAILED_PRECONDITION,
        `host "${request.host}" is not attached (attached: ${attached.length ? attached.join(', ') : 'none'}); start its agent, check \`kumi agents\`, and retry`,
      );
    }
    const run: RunRecord = { runId: randomUUID(), host: request.host, step: request.step, lastSeq: 0, finished: false, listeners: new Set([listener]) };
    this.runs.set(run.runId, run);
    // A busy agent refuses this run with LOCKED: the run it is busy with stays the one shown.
    if (session.busyRunId === '') session.busyRunId = run.runId;
    this.logger.info({ runId: run.runId, host: run.host, step: run.step, dryRun: request.dryRun, secretNames: Object.keys(request.secrets) }, 'run started');
    session.send({ run: { runId: run.runId, step: request.step, paramsJson: request.paramsJson, secrets: request.secrets, dryRun: request.dryRun } });
    this.armAnswerTimer(run);
    return {
      runId: run.runId,
      abandon: () => {
        run.listeners.delete(listener);
        if (!run.finished) this.cancel(run.runId);
      },
    };
  }

  /** Asks the run's host to cancel it (the agent answers with a FAILED CANCELLED event). */
  cancel(runId: string): void {
    const run = this.runs.get(runId);
    if (!run || run.finished) return;
    this.logger.info({ runId, host: run.host }, 'run cancel requested');
    this.agents.get(run.host)?.send({ cancel: { runId } });
  }

  /**
   * Handles one event from a host's stream. Returns the seq to acknowledge (everything
   * of that run up to it arrived), or undefined when no acknowledgement is due: a new
   * event is acknowledged at the run's end and every ACK_EVERY events of a long run, not
   * one by one (the agent keeps what is not acknowledged on disk and replays it after a
   * reconnect; replays are acknowledged at once).
   */
  accept(session: AgentSession, event: StepEvent__Output): number | undefined {
    const runId = event.runId;
    const host = event.host || session.hostName;
    if (!runId || host !== session.hostName) {
      this.logger.warn({ runId, host: session.hostName, eventHost: event.host }, 'event dropped: no run id, or about another host');
      return undefined;
    }
    const run = this.runs.get(runId);
    if (run && run.host !== session.hostName) {
      this.logger.warn({ runId, host: session.hostName, runHost: run.host }, 'event dropped: run belongs to another host');
      return undefined;
    }
    const lastSeq = run ? run.lastSeq : (this.foreignLastSeq.get(runId) ?? 0);
    if (event.seq <= lastSeq) {
      this.logger.debug({ runId, seq: event.seq, lastSeq }, 'replayed event dropped');
      return lastSeq;
    }
    if (event.seq !== lastSeq + 1) {
      // Accepting it would acknowledge the missing ones too; the agent replays from lastSeq.
      this.logger.warn({ runId, seq: event.seq, lastSeq }, 'event dropped: gap in seq');
      return lastSeq > 0 ? lastSeq : undefined;
    }
    const terminal = TERMINAL_KINDS.has(event.kind);
    if (terminal && session.busyRunId === runId) session.busyRunId = '';
    if (!run) {
      this.rememberForeign(runId, event.seq);
      this.logger.info({ runId, host, seq: event.seq, kind: event.kind }, 'event of a run not started by this coordinator');
      return event.seq;
    }
    run.lastSeq = event.seq;
    this.clearLostTimer(run);
    this.clearAnswerTimer(run);
    this.logger.debug({ runId, host, seq: event.seq, kind: event.kind }, 'event');
    if (terminal) this.finish(run, event);
    else for (const listener of run.listeners) listener(event);
    return terminal || event.seq % ACK_EVERY === 0 ? event.seq : undefined;
  }

  /**
   * Server shutdown: ends every unfinished run for its watchers with a FAILED INTERNAL
   * event saying so (the step may still finish on its host), and stops the timers.
   */
  close(): void {
    this.unsubscribe();
    for (const run of [...this.runs.values()]) {
      if (run.finished) continue;
      const message = `the coordinator stopped (kumi serve shut down) while the step ran on "${run.host}"; it may still finish there: restart \`kumi serve\` and run the step again`;
      this.finish(run, this.failure(run, 'ERROR_CODE_INTERNAL', message));
    }
  }

  private failure(run: RunRecord, code: 'ERROR_CODE_INTERNAL' | 'ERROR_CODE_NOT_ATTACHED' | 'ERROR_CODE_TIMEOUT', message: string): StepEvent {
    return {
      runId: run.runId,
      seq: run.lastSeq + 1,
      host: run.host,
      step: run.step,
      kind: 'EVENT_KIND_FAILED',
      timeUnixMs: Date.now(),
      text: message,
      error: { code, message, exitCode: 0, stderrTail: '', command: '' },
    };
  }

  private finish(run: RunRecord, event: StepEvent): void {
    run.finished = true;
    this.clearLostTimer(run);
    this.clearAnswerTimer(run);
    this.logger.info({ runId: run.runId, host: run.host, step: run.step, kind: event.kind, errorCode: event.error?.code }, 'run ended');
    for (const listener of run.listeners) listener(event);
    run.listeners.clear();
    // Keep only the seq, so late replays of this run are still recognised as duplicates.
    this.runs.delete(run.runId);
    this.rememberForeign(run.runId, run.lastSeq);
  }

  private rememberForeign(runId: string, seq: number): void {
    this.foreignLastSeq.delete(runId);
    this.foreignLastSeq.set(runId, seq);
    while (this.foreignLastSeq.size > this.rememberRuns) {
      const oldest = this.foreignLastSeq.keys().next().value as string;
      this.foreignLastSeq.delete(oldest);
    }
  }

  private hostDetached(session: AgentSession): void {
    for (const run of this.runs.values()) {
      if (run.host !== session.hostName || run.finished) continue;
      // While the host is away the detach grace bounds the wait, not the answer timeout.
      this.clearAnswerTimer(run);
      this.armLostTimer(run, 'detached');
    }
  }

  private hostAttached(session: AgentSession): void {
    for (const run of this.runs.values()) {
      if (run.host !== session.hostName || run.finished) continue;
      // Still running there: it will report. Otherwise the timer keeps running until
      // the agent replays this run's events, or gives up.
      if (session.busyRunId === run.runId) this.clearLostTimer(run);
      else if (!run.lostTimer) this.armLostTimer(run, 'attached without it');
    }
  }

  private armLostTimer(run: RunRecord, why: string): void {
    this.clearLostTimer(run);
    this.logger.warn({ runId: run.runId, host: run.host, why }, 'run waiting for its host');
    run.lostTimer = setTimeout(() => {
      run.lostTimer = undefined;
      if (run.finished) return;
      const message = `host "${run.host}" went away during the run and did not report it within ${formatDuration(this.detachGraceMs)}; check the agent (\`kumi agents\`) and run the step again`;
      this.finish(run, this.failure(run, 'ERROR_CODE_NOT_ATTACHED', message));
    }, this.detachGraceMs);
    run.lostTimer.unref();
  }

  private armAnswerTimer(run: RunRecord): void {
    run.answerTimer = setTimeout(() => {
      run.answerTimer = undefined;
      if (run.finished || run.lastSeq > 0) return;
      const session = this.agents.get(run.host);
      // The coordinator only assumed the host busy with this run; the host never confirmed it.
      if (session?.busyRunId === run.runId) session.busyRunId = '';
      // Should the request still reach the agent, it must not start the step late.
      session?.send({ cancel: { runId: run.runId } });
      const message = `host "${run.host}" sent no event for run ${run.runId} (${run.step}) within ${formatDuration(this.answerTimeoutMs)}; check its agent (\`kumi agents\`, the agent's log) and run the step again`;
      this.finish(run, this.failure(run, 'ERROR_CODE_TIMEOUT', message));
    }, this.answerTimeoutMs);
    run.answerTimer.unref();
  }

  private clearAnswerTimer(run: RunRecord): void {
    if (run.answerTimer) clearTimeout(run.answerTimer);
    run.answerTimer = undefined;
  }

  private clearLostTimer(run: RunRecord): void {
    if (run.lostTimer) clearTimeout(run.lostTimer);
    run.lostTimer = undefined;
  }
}
