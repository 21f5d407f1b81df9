/** Thrown by BoundedWorkQueue.run when every worker is busy and the queue is full. */
export class QueueFullError extends Error {
  constructor() {
    super('the work queue is full');
    this.name = 'QueueFullError';
  }
}

interface Job {
  start(): void;
}

/**
 * Runs at most `concurrency` jobs at once and keeps at most `capacity` waiting, in
 * arrival order; a job beyond that is refused at once (QueueFullError) instead of
 * waiting without bound, so a caller can be told to come back later.
 */
export class BoundedWorkQueue {
  #running = 0;
  readonly #waiting: Job[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly capacity: number,
  ) {}

  /** Jobs running or waiting now. */
  get load(): number {
    return this.#running + this.#waiting.length;
  }

  /** Runs job when a worker is free; rejects with QueueFullError when the queue is full. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency && this.#waiting.length >= this.capacity) return Promise.reject(new QueueFullError());
    return new Promise<T>((resolve, reject) => {
      const entry: Job = {
        start: () => {
          this.#running += 1;
          job()
            .then(resolve, reject)
            .finally(() => {
              this.#running -= 1;
              this.#waiting.shift()?.start();
            });
        },
      };
      if (this.#running < this.concurrency) entry.start();
      else this.#waiting.push(entry);
    });
  }
}
