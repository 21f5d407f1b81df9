import type { HostFacts } from '@kumi/steps';

/** Why the facts were (re)gathered; each gathering is reported with it. */
export type GatherReason = 'first use' | 'attach' | 'host changed';

/**
 * The host's facts, kept in memory between steps. They are gathered when the agent attaches
 * (every Hello carries fresh ones) and again, on next use, after a run that may have changed
 * the host; a step that only reads the host gets the facts in memory, so a burst of no-op
 * steps spawns nothing (`nft list tables`, systeminformation's readers) and reads no /proc
 * file for facts.
 */
export class FactsCache {
  #current: Promise<HostFacts> | undefined;
  #reason: GatherReason = 'first use';

  /**
   * @param gather reads the host now (gatherFacts on a real host).
   * @param onGathered called once per gathering, before its facts are used (a log line; tests count it).
   */
  constructor(
    private readonly gather: () => Promise<HostFacts>,
    private readonly onGathered: (reason: GatherReason) => void = () => undefined,
  ) {}

  /** The facts in memory, gathered first if there are none or they were marked stale. */
  current(): Promise<HostFacts> {
    if (this.#current) return this.#current;
    const reason = this.#reason;
    const gathering = this.gather().then((facts) => {
      this.onGathered(reason);
      return facts;
    });
    this.#current = gathering;
    // A failed gathering is not kept: the next use tries again.
    gathering.catch(() => {
      if (this.#current === gathering) this.#current = undefined;
    });
    return gathering;
  }

  /** Gathers afresh now (an attach: the coordinator gets the host as it is, and the steps too). */
  refresh(): Promise<HostFacts> {
    this.#forget('attach');
    return this.current();
  }

  /** Marks the facts stale after a run that may have changed the host; the next use gathers. */
  hostChanged(): void {
    this.#forget('host changed');
  }

  #forget(reason: GatherReason): void {
    this.#current = undefined;
    this.#reason = reason;
  }
}
