import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, type AgentEvent } from '../session/event-kinds';

/** File name of the outbox inside the state folder. */
export const OUTBOX_FILE = 'outbox.jsonl';

/** Records since the last rewrite after which an ack rewrites the file even if events are pending. */
const COMPACT_AFTER_RECORDS = 10_000;
/**
 * Records since the last rewrite after which an ack that leaves nothing pending rewrites the
 * file. Not on every such ack: a rewrite costs an fsync and a rename, and a burst of short
 * steps empties the outbox after each one.
 */
const COMPACT_IDLE_AFTER_RECORDS = 512;

/** The run the agent has in hand: noted when a request is taken, before anything else. */
export interface RunMarker {
  runId: string;
  step: string;
  startedAtMs: number;
}

/**
 * How long a non-terminal event may wait for others before its burst is written. A run's
 * end is written at once (see flush), so a step shorter than this costs one write and one
 * fsync in all; the coordinator sees START and output lines at most this much later, and
 * the step's end without delay.
 */
const BURST_WINDOW_MS = 50;

type Record_ =
  | { event: AgentEvent }
  /** A run taken in hand; a later terminal event of the same run ends it. */
  | { begin: RunMarker }
  | { ack: { runId: string; seq: number } }
  /** Written by compaction: a run that has not ended yet and the last seq it used. */
  | { open: { runId: string; seq: number } };

/** An event appended but not yet on disk, with what to do once it is. */
interface Unsynced {
  event: AgentEvent;
  afterDurable: ((event: AgentEvent) => void) | undefined;
}

/**
 * Step events not yet acknowledged by the coordinator, kept on disk so they survive a
 * lost stream or an agent restart, and the run in hand, so that a restart after a crash
 * reports it. The file is append-only JSON lines (events, acks, the run taken in hand),
 * rewritten small from time to time once nothing is pending. Replaying it gives the pending
 * events in the order they were made.
 *
 * Events are written in bursts: the events appended within BURST_WINDOW_MS of each other
 * (a terminal event ends the burst at the end of its turn) go to the file in one write and
 * one fsync, and only then is each handed on (`afterDurable`: sent to the coordinator). So
 * the coordinator never sees, nor acknowledges, an event the agent could lose in a crash,
 * and a seq it has seen is never used again.
 */
export class Outbox {
  readonly #path: string;
  #fd: number;
  /** Durable events not acknowledged yet, oldest first. */
  #pending: AgentEvent[] = [];
  /** Appended events waiting for the next flush, oldest first. */
  #unsynced: Unsynced[] = [];
  /** The next flush, if one is due: soon (a terminal event) or at the end of the burst window. */
  #flushScheduled: { kind: 'soon'; handle: NodeJS.Immediate } | { kind: 'window'; handle: NodeJS.Timeout } | undefined;
  /** The run taken in hand whose terminal event has not been appended. */
  #inHand: RunMarker | undefined;
  /** Runs without a terminal event yet, with the last seq each used. */
  readonly #open = new Map<string, number>();
  #recordsSinceCompaction = 0;
  #fsyncs = 0;

  private constructor(path: string) {
    this.#path = path;
    this.#load();
    this.#fd = openSync(path, 'a', 0o600);
  }

  /** Opens (or creates) the outbox in `stateDir` and loads what a previous process left. */
  static open(stateDir: string): Outbox {
    return new Outbox(join(stateDir, OUTBOX_FILE));
  }

  /** Durable events not acknowledged yet, oldest first (what a new stream replays). */
  pending(): readonly AgentEvent[] {
    return this.#pending;
  }

  /** The last seq used by a run still open, or 0. */
  lastSeq(runId: string): number {
    return this.#open.get(runId) ?? 0;
  }

  /** fsync calls on the outbox file since it was opened (for tests and benchmarks). */
  get fsyncCount(): number {
    return this.#fsyncs;
  }

  /** The run in hand when the outbox was last written: after a restart, the run a crash cut short. */
  inHand(): RunMarker | undefined {
    return this.#inHand;
  }

  /**
   * Notes that a run is in hand, before its first event: written at once (a crash of the
   * process cannot lose it) and synced with the run's first burst. The run's terminal event
   * ends it.
   */
  begin(marker: RunMarker): void {
    this.#inHand = { ...marker };
    this.#write({ begin: this.#inHand });
  }

  /**
   * Takes an event; it is written and synced with the rest of its burst (see flush), then
   * handed to `afterDurable`.
   */
  append(event: AgentEvent, afterDurable?: (event: AgentEvent) => void): void {
    this.#track(event);
    this.#unsynced.push({ event, afterDurable });
    if (isTerminal(event)) this.#schedule('soon');
    else if (!this.#flushScheduled) this.#schedule('window');
  }

  /**
   * Writes every appended event in one write and one fsync, then hands each on in order.
   * Runs by itself at the end of each burst; call it to make the outbox durable now (a
   * run's end, stopping).
   */
  flush(): void {
    this.#cancelScheduled();
    const burst = this.#unsynced;
    if (burst.length === 0) return;
    this.#unsynced = [];
    try {
      writeSync(this.#fd, burst.map(({ event }) => `${JSON.stringify({ event } satisfies Record_)}\n`).join(''));
      fsyncSync(this.#fd);
    } catch (error) {
      // Not durable, so not handed on: kept for the next flush, ahead of newer events.
      this.#unsynced = [...burst, ...this.#unsynced];
      throw error;
    }
    this.#fsyncs += 1;
    this.#recordsSinceCompaction += burst.length;
    for (const { event } of burst) this.#pending.push(event);
    for (const { event, afterDurable } of burst) afterDurable?.(event);
  }

  #schedule(when: 'soon' | 'window'): void {
    if (this.#flushScheduled?.kind === 'soon') return;
    this.#cancelScheduled();
    const flush = (): void => {
      this.#flushScheduled = undefined;
      try {
        this.flush();
      } catch {
        // The burst stays in memory (see flush) and goes out with the next one, or with
        // the flush of close(), which reports the error to the caller.
      }
    };
    this.#flushScheduled = when === 'soon' ? { kind: 'soon', handle: setImmediate(flush) } : { kind: 'window', handle: setTimeout(flush, BURST_WINDOW_MS) };
  }

  #cancelScheduled(): void {
    if (this.#flushScheduled?.kind === 'soon') clearImmediate(this.#flushScheduled.handle);
    else if (this.#flushScheduled?.kind === 'window') clearTimeout(this.#flushScheduled.handle);
    this.#flushScheduled = undefined;
  }

  /** Drops every pending event of `runId` up to and including `seq`. */
  ack(runId: string, seq: number): void {
    const before = this.#pending.length;
    this.#apply({ ack: { runId, seq } });
    if (this.#pending.length === before) return;
    const idle = this.#pending.length === 0 && this.#unsynced.length === 0;
    if ((idle && this.#recordsSinceCompaction >= COMPACT_IDLE_AFTER_RECORDS) || this.#recordsSinceCompaction >= COMPACT_AFTER_RECORDS) this.#compact();
    // Written at once but not synced: an ack lost in a power cut only makes the
    // coordinator see the event again, and it drops replays by seq.
    else this.#write({ ack: { runId, seq } });
  }

  /** Flushes what is appended and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  #write(record: Record_): void {
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    this.#recordsSinceCompaction += 1;
  }

  /** Keeps the run bookkeeping of an event, from the moment it is appended. */
  #track(event: AgentEvent): void {
    if (isTerminal(event)) {
      this.#open.delete(event.runId);
      if (this.#inHand?.runId === event.runId) this.#inHand = undefined;
    } else {
      this.#open.set(event.runId, event.seq);
    }
  }

  #apply(record: Record_): void {
    if ('event' in record) {
      this.#pending.push(record.event);
      this.#track(record.event);
    } else if ('begin' in record) {
      this.#inHand = record.begin;
    } else if ('ack' in record) {
      const { runId, seq } = record.ack;
      this.#pending = this.#pending.filter((event) => event.runId !== runId || event.seq > seq);
    } else {
      this.#open.set(record.open.runId, record.open.seq);
    }
  }

  #load(): void {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim().length === 0) continue;
      let record: Record_;
      try {
        record = JSON.parse(line) as Record_;
      } catch {
        // Only the last line can be torn (a crash mid-write); everything before it is whole.
        continue;
      }
      this.#apply(record);
      this.#recordsSinceCompaction += 1;
    }
  }

  /** Rewrites the file with only what still matters: the run in hand, open runs and pending events. */
  #compact(): void {
    // Compaction rewrites from memory, which only knows durable events as pending.
    this.flush();
    const temp = `${this.#path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      const lines = [
        ...(this.#inHand ? [JSON.stringify({ begin: this.#inHand } satisfies Record_)] : []),
        ...[...this.#open].map(([runId, seq]) => JSON.stringify({ open: { runId, seq } })),
        ...this.#pending.map((event) => JSON.stringify({ event })),
      ];
      if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
      this.#fsyncs += 1;
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.#path);
    closeSync(this.#fd);
    this.#fd = openSync(this.#path, 'a', 0o600);
    this.#recordsSinceCompaction = 0;
  }
}
