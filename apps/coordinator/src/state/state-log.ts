import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { writePrivateFile } from './secure-files';

/** What reading a log found: the complete lines, and whether a torn tail was cut off. */
export interface LogContents {
  lines: unknown[];
  /** Bytes of a torn last write that were dropped (0 when the log ended cleanly). */
  droppedBytes: number;
}

/** When to compact: the log is rewritten as one snapshot once it outgrows both limits. */
export interface CompactionPolicy {
  /** Never compact a log smaller than this. */
  minBytes: number;
  /** Compact when the log is this many times the size of its last snapshot. */
  growthFactor: number;
}

const DEFAULT_COMPACTION: CompactionPolicy = { minBytes: 4 * 1024 * 1024, growthFactor: 4 };

interface Pending {
  text: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * An append-only file of JSON lines, written by one process. Appends are group-committed:
 * the first change is written and fsynced at once, changes that arrive while that fsync
 * is in flight are written together and share the next fsync, and each append resolves
 * only once its line is durable. A crash can tear only the last write: reading drops a
 * tail of incomplete or unreadable lines. When the log grows, it is rewritten as one
 * snapshot line into a temporary file that is fsynced and renamed over it.
 */
export class StateLog {
  #handle: FileHandle;
  #size: number;
  #snapshotSize: number;
  #pending: Pending[] = [];
  #flushing = false;
  #failed: Error | undefined;
  #idle: Array<() => void> = [];

  private constructor(
    readonly path: string,
    handle: FileHandle,
    size: number,
    private readonly snapshot: () => unknown,
    private readonly compaction: CompactionPolicy,
  ) {
    this.#handle = handle;
    this.#size = size;
    this.#snapshotSize = size;
  }

  /**
   * Opens the log at path for appending, after cutting off a torn tail that read() found.
   * snapshot() gives the whole state as one record when the log is compacted.
   */
  static async open(path: string, contents: LogContents, snapshot: () => unknown, compaction = DEFAULT_COMPACTION): Promise<StateLog> {
    const handle = await open(path, 'r+');
    try {
      const { size } = await handle.stat();
      const kept = size - contents.droppedBytes;
      if (contents.droppedBytes > 0) {
        await handle.truncate(kept);
        await handle.sync();
      }
      await handle.close();
      return new StateLog(path, await open(path, 'a', 0o600), kept, snapshot, compaction);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** False after a failed write: every later append fails. */
  get healthy(): boolean {
    return this.#failed === undefined;
  }

  /** Bytes in the log now. */
  get sizeBytes(): number {
    return this.#size;
  }

  /** Appends one record; resolves once it is on disk. After a write error every append fails. */
  append(record: unknown): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ text: `${JSON.stringify(record)}\n`, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  /** Resolves once every append made so far is on disk (or failed). */
  async drain(): Promise<void> {
    if (!this.#flushing) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    await this.drain();
    await this.#handle.close();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0);
        const text = batch.map((entry) => entry.text).join('');
        try {
          await writeAll(this.#handle, Buffer.from(text));
          await this.#handle.datasync();
        } catch (error) {
          // Memory is ahead of the disk now: refuse every later change rather than acknowledge it.
          this.#failed = new CliError(`cannot write the state log ${this.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); free disk space or fix the folder, then restart kumi`, ExitCode.STATE);
          for (const entry of [...batch, ...this.#pending.splice(0)]) entry.reject(this.#failed);
          return;
        }
        this.#size += Buffer.byteLength(text);
        for (const entry of batch) entry.resolve();
        // Nothing is queued, so memory equals the disk: the snapshot taken now is exact.
        if (this.#pending.length === 0 && this.#shouldCompact()) await this.#compact();
      }
    } finally {
      this.#flushing = false;
      for (const done of this.#idle.splice(0)) done();
    }
  }

  #shouldCompact(): boolean {
    return this.#size >= this.compaction.minBytes && this.#size >= this.#snapshotSize * this.compaction.growthFactor;
  }

  async #compact(): Promise<void> {
    const text = `${JSON.stringify(this.snapshot())}\n`;
    try {
      await writeLogFile(this.path, text);
    } catch {
      // The old log is intact and still correct: keep appending to it, and try again at the next growth.
      this.#snapshotSize = this.#size;
      return;
    }
    const previous = this.#handle;
    this.#handle = await open(this.path, 'a', 0o600);
    await previous.close();
    this.#size = Buffer.byteLength(text);
    this.#snapshotSize = this.#size;
  }
}

/**
 * Reads a log: every complete line parsed with parse(). An unreadable line followed only
 * by unreadable lines is the torn tail of the last write (a crash mid-write) and is
 * dropped; an unreadable line followed by a good one is damage, refused with the fix.
 */
export async function readLog(path: string, parse: (value: unknown) => unknown): Promise<LogContents> {
  const buffer = await readFile(path);
  const lines: unknown[] = [];
  let offset = 0;
  let firstBad: number | undefined;
  while (offset < buffer.length) {
    const end = buffer.indexOf(0x0a, offset);
    const last = end === -1;
    const value = last ? undefined : parseLine(buffer.subarray(offset, end).toString('utf8'), parse);
    if (value === undefined) {
      firstBad ??= offset;
    } else if (firstBad !== undefined) {
      throw new CliError(
        `the state log ${path} is damaged (an unreadable line at byte ${firstBad} before readable ones): restore the folder from a backup; ` +
          'if none, move the file aside and enroll the agents again with new tokens',
        ExitCode.STATE,
      );
    } else {
      lines.push(value);
    }
    if (last) break;
    offset = end + 1;
  }
  return { lines, droppedBytes: firstBad === undefined ? 0 : buffer.length - firstBad };
}

function parseLine(text: string, parse: (value: unknown) => unknown): unknown {
  try {
    return parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Writes a complete log file (0600) under a temporary name, fsyncs it and its folder, then renames it into place. */
export async function writeLogFile(path: string, text: string): Promise<void> {
  await writePrivateFile(path, text);
  await syncDir(dirname(path));
}

/** fsyncs a folder, so a rename or a new file in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written);
    written += bytesWritten;
  }
}
