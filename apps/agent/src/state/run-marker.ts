import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the marker inside the state folder. */
export const RUN_MARKER_FILE = 'current-run.json';

/** The run the agent was busy with, written before its START and removed after its end. */
export interface RunMarker {
  runId: string;
  step: string;
  startedAtMs: number;
}

/**
 * The on-disk "current run" marker: if the agent dies mid-step, the next process finds it
 * and reports the run as INTERRUPTED.
 */
export class RunMarkerFile {
  readonly #path: string;

  constructor(stateDir: string) {
    this.#path = join(stateDir, RUN_MARKER_FILE);
  }

  read(): RunMarker | undefined {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<RunMarker>;
      if (typeof parsed.runId === 'string' && typeof parsed.step === 'string') {
        return { runId: parsed.runId, step: parsed.step, startedAtMs: Number(parsed.startedAtMs ?? 0) };
      }
    } catch {
      // A torn marker cannot name its run; treat it as absent.
    }
    return undefined;
  }

  /** Writes the marker durably (temp file, fsync, rename). */
  write(marker: RunMarker): void {
    const temp = `${this.#path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(marker));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.#path);
  }

  clear(): void {
    rmSync(this.#path, { force: true });
  }
}
