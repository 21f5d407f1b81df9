import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { JOURNAL_FILE, type JournalRecord } from '../journal/journal';
import { buildModel, type BuildModel } from '../report/build-model';

/** Where the live page gets its picture: a cluster's journal, read through its module. */
export interface JournalSource {
  model(open: boolean): BuildModel;
  /** Changes whenever the journal grows (it is append-only). */
  version(): string;
}

/** How much of the journal one refresh reads at most; the rest comes at the next one. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Follows the journal file by its end: each refresh reads only the bytes appended since the
 * last one and keeps the records of the run shown (a given run, or the latest one), so a
 * long journal is read once however long the page stays up. A file that got shorter or is
 * another file (a new state folder) is read again from the start.
 */
export class JournalTail {
  readonly file: string;
  readonly #run: string | undefined;
  #offset = 0;
  #size = -1;
  #inode = -1;
  #partial = '';
  /** Keeps a character split across two reads whole. */
  #decoder = new StringDecoder('utf8');
  /** Runs seen so far, in order of their first record (as buildModel orders them). */
  readonly #runs = new Set<string>();
  #shown = '';
  #records: JournalRecord[] = [];

  constructor(dir: string, run?: string) {
    this.file = join(dir, JOURNAL_FILE);
    this.#run = run;
  }

  /** The journal as last seen (its file and size): changes whenever records() may. */
  get version(): string {
    return `${this.#inode}:${this.#size}`;
  }

  /** Reads what was appended; returns the records of the run shown. */
  records(): readonly JournalRecord[] {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      this.#restart(-1);
      return this.#records;
    }
    try {
      const { size, ino } = fstatSync(fd);
      if (size < this.#offset || ino !== this.#inode) this.#restart(size);
      this.#size = size;
      this.#inode = ino;
      // Sized to what was appended: most refreshes find nothing new and allocate nothing.
      const buffer = this.#offset < size ? Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - this.#offset)) : Buffer.alloc(0);
      while (this.#offset < size) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - this.#offset), this.#offset);
        if (read <= 0) break;
        this.#offset += read;
        this.#take(this.#decoder.write(buffer.subarray(0, read)));
      }
    } finally {
      closeSync(fd);
    }
    return this.#records;
  }

  #restart(size: number): void {
    this.#offset = 0;
    this.#size = size;
    this.#inode = -1;
    this.#partial = '';
    this.#decoder = new StringDecoder('utf8');
    this.#runs.clear();
    this.#shown = '';
    this.#records = [];
  }

  #take(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // A torn line from a crash mid-write: that entry did not finish.
      }
      if (record.status === 'reset') continue; // No bar, and never a run of its own.
      if (!this.#runs.has(record.run)) {
        this.#runs.add(record.run);
        // Without a run asked for, the page shows the latest: a new run replaces the old one's records.
        if (this.#run === undefined) {
          this.#shown = record.run;
          this.#records = [];
        }
      }
      if (record.run === (this.#run ?? this.#shown)) this.#records.push(record);
    }
  }
}

/** The picture of `run` (default: the latest) in the journal of the state folder dir. */
export function journalSource(dir: string, run?: string): JournalSource {
  const tail = new JournalTail(dir, run);
  return {
    model: (open) => buildModel(tail.records(), { open, ...(run ? { run } : {}) }),
    version: () => {
      tail.records();
      return tail.version;
    },
  };
}
