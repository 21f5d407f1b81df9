import { setTimeout as sleep } from 'node:timers/promises';
import { labDown } from '../lab-down';
import { startLabCluster, type LabCluster, type LabClusterOptions } from './lab-cluster';

/** How long stop() waits for a start still in flight before it sweeps the lab anyway. */
const START_SETTLE_MS = 60_000;

/** A lab cluster owned by one test file: start() in beforeAll, stop() in afterAll. */
export interface LabClusterFixture {
  start(opts: LabClusterOptions): Promise<LabCluster>;
  /**
   * Stops the cluster and removes every lab process of this file's KUMI_LAB_DIR, also when
   * the start failed, never returned, or the hook that awaited it timed out.
   */
  stop(): Promise<void>;
}

/**
 * A hook that times out abandons its promise, not the work: startLabCluster goes on booting
 * hosts after vitest gave up on it, and a `cluster?.stop()` in afterAll then finds no cluster
 * and leaves the lab running. stop() here waits (bounded) for a start still in flight, stops
 * what came up, then sweeps the lab dir's anchors with labDown, which only ever touches this
 * lab dir's hosts. For a KUMI_LAB_DIR the test file owns alone (its pid in the name): the
 * sweep would also take down another run's lab left in the same folder.
 */
export function labClusterFixture(): LabClusterFixture {
  let starting: Promise<LabCluster> | undefined;
  return {
    start(opts) {
      if (starting) throw new Error('labClusterFixture: start() called twice; one fixture holds one cluster');
      starting = startLabCluster(opts);
      return starting;
    },
    async stop() {
      if (!starting) return;
      const settleWait = new AbortController();
      const cluster = await Promise.race([
        starting.catch(() => undefined),
        sleep(START_SETTLE_MS, undefined, { signal: settleWait.signal }).catch(() => undefined),
      ]);
      settleWait.abort();
      const problems: string[] = [];
      if (cluster) await cluster.stop().catch((e: Error) => problems.push(e.message));
      await labDown().catch((e: Error) => problems.push(`sweeping the lab: ${e.message}`));
      if (problems.length > 0) throw new Error(problems.join('; '));
    },
  };
}
