/** Capped exponential backoff with full jitter (AWS architecture blog's "Full Jitter"). */
export interface BackoffPolicy {
  /** Ceiling of the first delay, ms. */
  baseMs: number;
  /** No delay ever exceeds this, ms. */
  capMs: number;
}

/**
 * Reconnect policy of the agent: 0.5 s doubling up to a 5 s cap. Every `kumi` command that
 * talks to agents starts the coordinator anew, and an agent waiting out a long delay holds
 * that command up (with a 30 s cap, 15 s on average after an idle gap). A refused TCP connect
 * every few seconds per host costs a coordinator's machine nothing at kumi's scale.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 5_000 };

/** The delay ceiling for attempt n (0-based): min(cap, base * 2^n). */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/** A delay drawn uniformly from [0, ceiling(attempt)]. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(policy, attempt));
}

/** Counts consecutive failures; `reset` after a connection that worked. */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = RECONNECT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The number of the next attempt (1-based), for logs. */
  get attempt(): number {
    return this.#attempt + 1;
  }

  next(): number {
    const delay = backoffDelay(this.policy, this.#attempt, this.random);
    this.#attempt += 1;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
