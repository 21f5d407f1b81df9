// Test helper run as its own process by state-store.test.ts: opens the store of the
// folder given in argv, then creates tokens in overlapping batches and prints the id of
// each token once its creation is acknowledged, until the parent kills it (SIGKILL).
import { StateStore } from './state-store';
import { statePaths } from './state-paths';

const store = await StateStore.open(statePaths(process.argv[2] as string), { command: 'crash test', compaction: { minBytes: 8 * 1024, growthFactor: 2 } });
for (let round = 0; round < 100_000; round++) {
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const created = await store.createToken({ ttlMs: 60_000 });
      process.stdout.write(`${created.record.id}\n`);
    }),
  );
}
