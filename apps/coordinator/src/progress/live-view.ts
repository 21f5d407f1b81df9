import type { ProgressEvent, ProgressView } from './progress-event';

interface HostLine {
  stage: string;
  step: string;
  state: string;
  since: number;
  /** When the step ended: its elapsed time stops there. */
  until?: number;
  last: string;
}

const ENDED = new Set(['DONE', 'NOOP', 'PLANNED', 'FAILED', 'SKIPPED']);

const CLEAR_LINE = '\x1b[2K';
const up = (n: number) => (n > 0 ? `\x1b[${n}A` : '');

/**
 * The terminal view: a stage header and one line per host (stage, step, elapsed, last
 * output line), redrawn in place. Finished stages and failures scroll above it as plain
 * lines, so the history stays readable after the run.
 */
export class LiveView implements ProgressView {
  readonly #out: NodeJS.WriteStream;
  readonly #hosts = new Map<string, HostLine>();
  readonly #now: () => number;
  #header = '';
  #stageHeader = '';
  #drawn = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(out: NodeJS.WriteStream, now: () => number = Date.now) {
    this.#out = out;
    this.#now = now;
    // Elapsed times tick even while no event arrives.
    this.#timer = setInterval(() => this.#draw(), 1000);
    this.#timer.unref();
  }

  event(e: ProgressEvent): void {
    if (e.kind === 'FAILURE' || e.kind.startsWith('RUN_')) {
      this.#print(e.kind === 'FAILURE' ? `✗ ${e.host || e.stage}: ${e.text}` : e.text);
      this.#draw();
      return;
    }
    if (!e.host) {
      if (e.kind === 'STAGE_START') this.#header = this.#stageHeader = `${e.stage}${e.text ? ` — ${e.text}` : ''}`;
      else if (e.kind === 'WAITING') this.#header = `${e.stage} — ${e.text}`;
      else if (e.kind === 'READY') {
        this.#header = this.#stageHeader;
        this.#print(`  ✓ ${e.stage}: ${e.text}`);
      } else if (e.kind === 'NOT_READY') {
        this.#header = this.#stageHeader;
        this.#print(`✗ ${e.stage}: ${e.text}`);
      } else this.#print(`${e.kind === 'STAGE_FAILED' ? '✗' : '✓'} ${e.stage}${e.text ? `: ${e.text}` : ''}`);
      this.#draw();
      return;
    }
    const line = this.#hosts.get(e.host) ?? { stage: e.stage, step: e.step, state: '', since: this.#now(), last: '' };
    if (e.kind === 'START' || line.step !== e.step) Object.assign(line, { stage: e.stage, step: e.step, since: this.#now(), until: undefined, last: '' });
    line.state = e.kind;
    line.until = ENDED.has(e.kind) ? this.#now() : undefined;
    if (e.text) line.last = e.text.split('\n').at(-1) ?? '';
    if (e.kind === 'FAILED' || e.kind === 'NOT_READY') this.#print(`✗ ${e.host} ${e.step}: ${e.error ? `${e.error.code} ${e.error.message}` : e.text}`);
    this.#hosts.set(e.host, line);
    this.#draw();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw();
  }

  #print(text: string): void {
    this.#erase();
    this.#out.write(`${text}\n`);
  }

  #erase(): void {
    this.#out.write(`${up(this.#drawn)}\r`);
    for (let i = 0; i < this.#drawn; i++) this.#out.write(`${CLEAR_LINE}\n`);
    this.#out.write(`${up(this.#drawn)}\r`);
    this.#drawn = 0;
  }

  #draw(): void {
    // A pseudo-terminal without a size reports 0 columns.
    const width = Math.max(40, this.#out.columns || 100);
    const lines = [this.#header ? `▸ ${this.#header}` : ''];
    for (const [host, l] of [...this.#hosts].sort(([a], [b]) => a.localeCompare(b))) {
      const elapsed = `${Math.round(((l.until ?? this.#now()) - l.since) / 1000)}s`;
      lines.push(`  ${host.padEnd(12)} ${l.step.padEnd(24)} ${l.state.padEnd(8)} ${elapsed.padStart(5)}  ${l.last}`);
    }
    this.#erase();
    this.#out.write(lines.map((line) => `${CLEAR_LINE}${line.slice(0, width - 1)}`).join('\n') + '\n');
    this.#drawn = lines.length;
  }
}
