/** Limits on unauthenticated calls from one remote address. */
export interface PeerLimitOptions {
  /** Calls of one address in progress at once. */
  maxConcurrent: number;
  /** Sustained calls per second of one address (token bucket refill). */
  ratePerSecond: number;
  /** Calls one address may make in a burst (token bucket size). */
  burst: number;
  /** Addresses remembered at most; the least recently seen are forgotten first. */
  maxPeers?: number;
  now?: () => number;
}

interface PeerState {
  inFlight: number;
  tokens: number;
  refilledAt: number;
}

/**
 * Per-address limits for calls made before a client is authenticated (Enroll): how many
 * at once and how many per second. A refused call costs the server nothing but its answer.
 * The table of addresses is bounded, so many addresses cannot grow it without limit.
 */
export class PeerLimits {
  readonly #peers = new Map<string, PeerState>();
  readonly #maxPeers: number;
  readonly #now: () => number;

  constructor(private readonly options: PeerLimitOptions) {
    this.#maxPeers = options.maxPeers ?? 65_536;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Admits one call of peer: a release function to call when it ends, or the limit that
   * refused it.
   */
  admit(peer: string): { release(): void } | { refused: 'concurrent' | 'rate' } {
    const now = this.#now();
    let state = this.#peers.get(peer);
    if (state) {
      // Refresh the address' place: the table forgets the least recently seen first.
      this.#peers.delete(peer);
    } else {
      state = { inFlight: 0, tokens: this.options.burst, refilledAt: now };
    }
    this.#peers.set(peer, state);
    this.#forgetOldest();
    state.tokens = Math.min(this.options.burst, state.tokens + ((now - state.refilledAt) / 1000) * this.options.ratePerSecond);
    state.refilledAt = now;
    if (state.inFlight >= this.options.maxConcurrent) return { refused: 'concurrent' };
    if (state.tokens < 1) return { refused: 'rate' };
    state.tokens -= 1;
    state.inFlight += 1;
    const admitted = state;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        admitted.inFlight -= 1;
      },
    };
  }

  #forgetOldest(): void {
    for (const [peer, state] of this.#peers) {
      if (this.#peers.size <= this.#maxPeers) return;
      // A peer with calls in progress keeps its count: forgetting it would lift its limit.
      if (state.inFlight === 0) this.#peers.delete(peer);
      else return;
    }
  }
}

/** The remote address of a grpc-js peer string ("ipv4:1.2.3.4:5678", "ipv6:[::1]:5678"), without the port. */
export function peerAddress(peer: string): string {
  const bracketed = /^ipv6:\[([^\]]+)\]:\d+$/.exec(peer);
  if (bracketed?.[1]) return bracketed[1];
  const plain = /^(?:ipv4:)?(.+):\d+$/.exec(peer);
  return plain?.[1] ?? peer;
}
