// Start-up benchmark of the single-file kumi: median wall time of `kumi --version` against
// the bare Node runtime inside it (`-e 0`), the floor no script can go below.
// usage: npx tsx apps/coordinator/package/startup-bench.ts [KUMI_FILE] [RUNS]
// (default dist/kumi-linux-x64, 21 runs; build it first with `nx run coordinator:package`).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeRuntimeCacheDir } from '../../agent/package/build-sea-binaries';
import { NODE_RUNTIME_PACKAGES } from '../../agent/package/node-runtimes';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const kumiFile = resolve(process.argv[2] ?? join(repoRoot, 'dist/kumi-linux-x64'));
const runs = Number(process.argv[3] ?? 21);
const runtime = NODE_RUNTIME_PACKAGES.x64;
const bareNode = join(nodeRuntimeCacheDir(repoRoot), `${runtime.name}-${runtime.version}.node`);

/** Median wall time in ms of `file args`, after one warm-up run (page cache). */
function medianMs(file: string, args: string[]): number {
  const times: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const start = process.hrtime.bigint();
    const result = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().trim()}`);
    if (run > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const kumi = medianMs(kumiFile, ['--version']);
const floor = medianMs(bareNode, ['-e', '0']);
console.log(`machine: ${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}; ${runs} runs each`);
console.log(`kumi --version          median ${kumi.toFixed(1)} ms  (${kumiFile})`);
console.log(`bare node -e 0 (floor)  median ${floor.toFixed(1)} ms  (node ${runtime.version})`);
console.log(`kumi's own start-up     ${(kumi - floor).toFixed(1)} ms above the runtime floor; target: kumi --version <= 150 ms`);
