/**
 * cri-dockerd's memo of dockerd's answers (Mirantis/cri-dockerd utils/cache.go Cache.Memoize,
 * v0.3.16): a successful answer is reused while it is younger than minTTL plus the time the call
 * took; a failed call is not remembered, so the next one asks again. One call per key at a time:
 * callers that arrive while it runs share it. core/docker_service.go uses it for
 * getDockerVersion and getDockerInfo with systemInfoCacheMinTTL = 1 minute.
 */
export const SYSTEM_INFO_CACHE_MIN_TTL_MS = 60_000;

interface Entry {
  value?: unknown;
  generated: number;
  lastTimeTaken: number;
  running?: Promise<unknown>;
}

export class SystemInfoCache {
  private readonly entries = new Map<string, Entry>();

  /** `now` is the clock in ms (tests pass a logical one). */
  constructor(
    private readonly minTtlMs = SYSTEM_INFO_CACHE_MIN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  memoize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { generated: Number.NEGATIVE_INFINITY, lastTimeTaken: 0 };
      this.entries.set(key, entry);
    }
    const e = entry;
    if (e.running !== undefined) return e.running as Promise<T>;
    if (this.now() - e.generated < this.minTtlMs + e.lastTimeTaken) return Promise.resolve(e.value as T);
    const start = this.now();
    const running = fn().then(
      (value) => {
        Object.assign(e, { value, generated: this.now(), lastTimeTaken: this.now() - start, running: undefined });
        return value;
      },
      (error: unknown) => {
        e.running = undefined;
        throw error;
      },
    );
    e.running = running;
    return running;
  }
}
