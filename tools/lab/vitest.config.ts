import { defineConfig } from 'vitest/config';

/**
 * Lab suites each boot namespaces, etcd clusters and many processes. Every file runs in its own
 * process (forks pool, isolated), so its pid-suffixed KUMI_LAB_DIR, switch namespace and bridge
 * are its own and files never share a lab; at most KUMI_LAB_PARALLEL files (default 2, one per
 * core of the CI machine) run at once, so labs do not starve each other of CPU into timeouts.
 */
const parallel = Number(process.env.KUMI_LAB_PARALLEL ?? '2');
if (!Number.isInteger(parallel) || parallel < 1 || parallel > 8) throw new Error(`KUMI_LAB_PARALLEL must be an integer 1-8, got ${process.env.KUMI_LAB_PARALLEL}`);

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    isolate: true,
    fileParallelism: parallel > 1,
    maxWorkers: parallel,
  },
});
