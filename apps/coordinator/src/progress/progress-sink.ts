import type { Logger } from '../logging/logger';
import type { SecretRegistry } from '../journal/secret-registry';
import type { ProgressEvent, ProgressView } from './progress-event';

/** An event before the sink stamps it with time and seq. */
export type ProgressInput = Omit<ProgressEvent, 'time' | 'seq'>;

/**
 * The one way progress leaves a command: numbers events 1, 2, 3, ..., scrubs every known
 * secret from them (a last line of defence: nothing upstream should carry one), writes
 * them to the view and to the log file.
 */
export class ProgressSink {
  #seq = 0;
  readonly #view: ProgressView;
  readonly #secrets: SecretRegistry;
  readonly #logger: Logger | undefined;

  constructor(view: ProgressView, secrets: SecretRegistry, logger?: Logger) {
    this.#view = view;
    this.#secrets = secrets;
    this.#logger = logger;
  }

  emit(input: ProgressInput): ProgressEvent {
    const raw = JSON.stringify({ time: new Date().toISOString(), ...input, seq: ++this.#seq });
    const event = JSON.parse(this.#secrets.redact(raw)) as ProgressEvent;
    if (event.kind === 'OUTPUT') this.#logger?.debug({ progress: event }, 'progress');
    else this.#logger?.info({ progress: event }, 'progress');
    this.#view.event(event);
    return event;
  }

  close(): void {
    this.#view.close();
  }
}
