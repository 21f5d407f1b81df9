import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, type AgentEvent } from '../session/event-kinds';

/** File name of the outbox inside the state folder. */
export const OUTBOX_FILE = 'outbox.jsonl';

/** Records appended since the last rewrite after which an ack rewrites the file even if events are pending. */
const COMPACT_AFTER_RECORDS = 10_000;

type Record_ =
  | { event: AgentEvent }
  | { ack: { runId: string; seq: number } }
  /** Written by compaction: a run that has not ended yet and the last seq it used. */
  | { open: { runId: string; seq: number } };

/**
 * Step events not yet acknowledged by the coordinator, kept on disk so they survive a
 * lost stream or an agent restart. The file is append-only JSON lines (events and acks),
 * synced to disk on every event that ends a run, and rewritten small once nothing is
 * pending. Replaying it gives the pending events in the order they were made.
 */
export class Outbox {
  readonly #path: string;
  #fd: number;
  #pending: AgentEvent[] = [];
  /** Runs without a terminal event yet, with the last seq each used. */
  readonly #open = new Map<string, number>();
  /** Runs that ended since the last compaction. */
  readonly #ended = new Set<string>();
  #recordsSinceCompaction = 0;

  private constructor(path: string) {
    this.#path = path;
    this.#load();
    this.#fd = openSync(path, 'a', 0o600);
  }

  /** Opens (or creates) the outbox in `stateDir` and loads what a previous process left. */
  static open(stateDir: string): Outbox {
    return new Outbox(join(stateDir, OUTBOX_FILE));
  }

  /** Unacknowledged events, oldest first. */
  pending(): readonly AgentEvent[] {
    return this.#pending;
  }

  /** The last seq used by a run still open, or 0. */
  lastSeq(runId: string): number {
    return this.#open.get(runId) ?? 0;
  }

  /** Whether the run's terminal event is in the outbox history (since the last compaction). */
  hasEnded(runId: string): boolean {
    return this.#ended.has(runId);
  }

  /** Persists an event before it is sent; a terminal event is synced to disk. */
  append(event: AgentEvent): void {
    this.#write({ event });
    if (isTerminal(event)) fsyncSync(this.#fd);
    this.#apply({ event });
  }

  /** Drops every pending event of `runId` up to and including `seq`. */
  ack(runId: string, seq: number): void {
    const before = this.#pending.length;
    this.#apply({ ack: { runId, seq } });
    if (this.#pending.length === before) return;
    if (this.#pending.length === 0 || this.#recordsSinceCompaction >= COMPACT_AFTER_RECORDS) this.#compact();
    else this.#write({ ack: { runId, seq } });
  }

  close(): void {
    closeSync(this.#fd);
  }

  #write(record: Record_): void {
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    this.#recordsSinceCompaction += 1;
  }

  #apply(record: Record_): void {
    if ('event' in record) {
      const { event } = record;
      this.#pending.push(event);
      if (isTerminal(event)) {
        this.#open.delete(event.runId);
        this.#ended.add(event.runId);
      } else {
        this.#open.set(event.runId, event.seq);
      }
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

  /** Rewrites the file with only what still matters: open runs and pending events. */
  #compact(): void {
    const temp = `${this.#path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      const lines = [
        ...[...this.#open].map(([runId, seq]) => JSON.stringify({ open: { runId, seq } })),
        ...this.#pending.map((event) => JSON.stringify({ event })),
      ];
      if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.#path);
    closeSync(this.#fd);
    this.#fd = openSync(this.#path, 'a', 0o600);
    this.#recordsSinceCompaction = 0;
    // Ended runs' events that are still pending were rewritten above and count again.
    this.#ended.clear();
    for (const event of this.#pending) if (isTerminal(event)) this.#ended.add(event.runId);
  }
}
