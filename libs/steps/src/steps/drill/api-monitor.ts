import { httpsGet } from '../verify/https-get';

/** What the API did while it was watched. */
export interface ApiWatch {
  samples: number;
  failedSamples: number;
  /** The longest stretch without an "ok" answer, from the last ok before it to the first ok after it. */
  longestOutageMs: number;
  watchedMs: number;
}

/** Samples GET /healthz through the VIP at a fixed pace until stopped (or its hard limit). */
export interface ApiMonitor {
  stop(): Promise<ApiWatch>;
}

/**
 * Starts watching https://host:port/healthz every `intervalMs`. Bounded: it stops by itself
 * after `maxMs` even when nobody calls stop (e.g. a dry run), and never keeps Node alive.
 */
export function startApiMonitor(host: string, port: number, ca: string, intervalMs: number, maxMs: number): ApiMonitor {
  const started = Date.now();
  const results: { at: number; ok: boolean }[] = [];
  let running = true;
  let inFlight: Promise<void> = Promise.resolve();
  const sample = (): void => {
    if (!running || Date.now() - started > maxMs) {
      running = false;
      return;
    }
    const at = Date.now();
    inFlight = httpsGet(host, port, '/healthz', ca, Math.max(200, intervalMs * 2)).then((answer) => {
      results.push({ at, ok: answer.status === 200 && answer.body.trim() === 'ok' });
    });
    setTimeout(sample, intervalMs).unref();
  };
  sample();
  return {
    async stop() {
      running = false;
      await inFlight;
      return summarise(results, Date.now() - started);
    },
  };
}

/** Longest outage in a time-ordered list of samples. */
export function summarise(samples: readonly { at: number; ok: boolean }[], watchedMs: number): ApiWatch {
  const ordered = [...samples].sort((a, b) => a.at - b.at);
  let longest = 0;
  let lastOk: number | undefined = ordered[0]?.at;
  let inOutage = false;
  for (const sample of ordered) {
    if (sample.ok) {
      if (inOutage && lastOk !== undefined) longest = Math.max(longest, sample.at - lastOk);
      inOutage = false;
      lastOk = sample.at;
    } else {
      inOutage = true;
    }
  }
  const last = ordered.at(-1);
  if (inOutage && lastOk !== undefined && last !== undefined) longest = Math.max(longest, last.at - lastOk);
  return { samples: ordered.length, failedSamples: ordered.filter((sample) => !sample.ok).length, longestOutageMs: longest, watchedMs };
}
