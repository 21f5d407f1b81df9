import type { Logger } from '../logging/logger';

/**
 * Logs refusals of unauthenticated calls with a bound: at most `perWindow` lines per
 * window, then one line with how many more were refused. A flood of bogus calls must not
 * turn into a flood of (synchronous) log writes or fill the disk.
 */
export class RefusalLog {
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = 20,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs one refusal (warn), unless the window's budget is spent. */
  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    if (now - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0) this.logger.warn({ suppressed: this.#suppressed, windowMs: this.windowMs }, 'more enroll refusals not logged one by one');
      this.#windowStart = now;
      this.#logged = 0;
      this.#suppressed = 0;
    }
    if (this.#logged < this.perWindow) {
      this.#logged += 1;
      this.logger.warn(fields, message);
    } else {
      this.#suppressed += 1;
    }
  }
}
