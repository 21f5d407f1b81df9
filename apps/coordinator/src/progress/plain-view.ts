import type { ProgressEvent, ProgressView } from './progress-event';

/** One timestamped line per event, for logs and pipes (no terminal control codes). */
export class PlainView implements ProgressView {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  event(e: ProgressEvent): void {
    const time = e.time.slice(11, 19);
    if (e.kind.startsWith('RUN_')) {
      this.#write(`${time} ${e.text}`);
      return;
    }
    if (e.kind === 'FAILURE') {
      this.#write(`${time} !! ${e.host || e.stage}: ${e.text}`);
      return;
    }
    if (!e.host) {
      const what = e.kind === 'WAITING' || e.kind === 'READY' || e.kind === 'NOT_READY' ? '' : ` ${e.kind.toLowerCase().replace('stage_', '')}`;
      this.#write(`${time} == ${e.stage}${what}${e.text ? `: ${e.text}` : ''}`);
      return;
    }
    const detail = e.error ? `${e.error.code}: ${e.error.message}` : e.text;
    this.#write(`${time} ${e.host.padEnd(12)} ${e.step.padEnd(24)} ${e.kind.padEnd(8)} ${detail}`.trimEnd());
  }

  close(): void {}
}

/** NDJSON: one JSON object per event, for tools (`--json`). */
export class JsonView implements ProgressView {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  event(e: ProgressEvent): void {
    this.#write(JSON.stringify(e));
  }

  close(): void {}
}
