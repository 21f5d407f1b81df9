import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    // Lab suites each boot namespaces, etcd clusters and many processes: run the files one
    // after another so they neither starve each other of CPU nor time out on a 2-core machine.
    fileParallelism: false,
  },
});
