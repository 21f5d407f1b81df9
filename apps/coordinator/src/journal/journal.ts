import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretRegistry } from './secret-registry';

/**
 * How one (host, step) of a plan ended, or that it started. `reset`: `kumi reset` cleaned
 * the host (path "*"), so every earlier record of that host no longer counts.
 */
export type EntryStatus = 'started' | 'done' | 'noop' | 'failed' | 'reset';

/** The path of a `reset` record: it covers every step of its host. */
export const RESET_PATH = '*';

/** One line of the journal. Holds no secret: values are checked before every write. */
export interface JournalRecord {
  /** ISO time the record was written. */
  time: string;
  /** Id of the `kumi up` run that wrote it. */
  run: string;
  /** Stable plan path, e.g. "join-control-planes/kubeadm.join". */
  path: string;
  host: string;
  status: EntryStatus;
  /** The step's typed outputs (DONE/NOOP), e.g. the CA hash. */
  outputs?: Record<string, unknown>;
  /** FAILED: what went wrong; a failed command adds its exit code, command line and stderr tail. */
  error?: JournalError;
  /** Why, in words, e.g. a NOOP's reason or "rechecked: nothing to do". Never a secret. */
  note?: string;
}

/** Why an entry failed, as journaled (every text scrubbed of known secrets). */
export interface JournalError {
  code: string;
  message: string;
  /** COMMAND_FAILED: the command's exit code. */
  exitCode?: number;
  /** COMMAND_FAILED: the last lines of its standard error. */
  stderrTail?: string;
  /** COMMAND_FAILED: the command line. */
  command?: string;
}

export const JOURNAL_FILE = 'journal.ndjson';

/** The note of a record whose outputs were dropped because they held a known secret. */
export const OUTPUTS_WITHHELD = 'outputs withheld: they held a secret';

/**
 * Append-only record of every (host, step) result of `kumi up`, so a rerun after a crash
 * of the coordinator or a host knows what finished. One JSON object per line, fsynced
 * after each append: a crash can lose at most the line being written, and a torn last
 * line is ignored on read.
 */
export class Journal {
  readonly file: string;
  readonly #secrets: SecretRegistry;

  constructor(stateDir: string, secrets: SecretRegistry) {
    this.file = join(stateDir, JOURNAL_FILE);
    this.#secrets = secrets;
  }

  /**
   * Writes one record, scrubbed of every known secret so that a result is never lost to
   * the guard: secrets in the error and the note are replaced by `***`, and outputs that
   * hold one are dropped (the note says so). Throws only if a secret is in the run, path
   * or host, which come from the plan, never from a step.
   */
  append(record: Omit<JournalRecord, 'time'>): JournalRecord {
    const full: JournalRecord = { time: new Date().toISOString(), ...this.#scrubbed(record) };
    const line = JSON.stringify(full);
    if (this.#secrets.leaks(line)) {
      throw new Error(`refusing to journal ${this.#secrets.redact(`${record.path}@${record.host}`)}: its record would contain a secret`);
    }
    const fd = openSync(this.file, 'a', 0o600);
    try {
      appendFileSync(fd, `${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return full;
  }

  #scrubbed(record: Omit<JournalRecord, 'time'>): Omit<JournalRecord, 'time'> {
    const { outputs, error, note, ...rest } = record;
    const withheld = outputs !== undefined && this.#secrets.leaks(JSON.stringify(outputs));
    const notes = [...(note === undefined ? [] : [this.#secrets.redact(note)]), ...(withheld ? [OUTPUTS_WITHHELD] : [])];
    return {
      ...rest,
      ...(outputs !== undefined && !withheld ? { outputs } : {}),
      ...(error ? { error: this.#scrubbedError(error) } : {}),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    };
  }

  #scrubbedError(error: JournalError): JournalError {
    const redact = (text: string) => this.#secrets.redact(text);
    return {
      code: redact(error.code),
      message: redact(error.message),
      ...(error.exitCode !== undefined ? { exitCode: error.exitCode } : {}),
      ...(error.stderrTail ? { stderrTail: redact(error.stderrTail) } : {}),
      ...(error.command ? { command: redact(error.command) } : {}),
    };
  }

  /** Every intact record, oldest first. */
  read(): JournalRecord[] {
    if (!existsSync(this.file)) return [];
    const records: JournalRecord[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        // A torn line from a crash mid-write: that entry did not finish.
      }
    }
    return records;
  }

  /** Records that still count: those of a host written before its latest reset are dropped. */
  current(): JournalRecord[] {
    const records = this.read();
    const lastReset = new Map<string, number>();
    records.forEach((record, index) => {
      if (record.status === 'reset') lastReset.set(record.host, index);
    });
    return records.filter((record, index) => record.status !== 'reset' && index > (lastReset.get(record.host) ?? -1));
  }

  /** The latest status of each `path@host`, resets applied. */
  latest(): Map<string, JournalRecord> {
    const byKey = new Map<string, JournalRecord>();
    for (const record of this.current()) byKey.set(`${record.path}@${record.host}`, record);
    return byKey;
  }

  /** Marks host as reset: a later `kumi up` starts over for it. */
  markReset(run: string, host: string, note: string): JournalRecord {
    return this.append({ run, path: RESET_PATH, host, status: 'reset', note });
  }

  /** Whether (path, host) finished successfully in any earlier or current run. */
  isDone(path: string, host: string): boolean {
    const status = this.latest().get(`${path}@${host}`)?.status;
    return status === 'done' || status === 'noop';
  }
}
