// Start-up benchmark of the single-file kumi: median wall time of `kumi --version` against
// the bare Node runtime inside it (`-e 0`), the floor no script can go below. On a busy
// machine the wall time mostly measures waiting for a CPU; the CPU time (user + sys, from
// GNU time) is printed beside it.
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Median wall and CPU time in ms of `file args`, after one warm-up run (page cache). */
function medianMs(file: string, args: string[]): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', 'kumi-bench-cpu %U %S', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const stderr = result.stderr.toString();
    const times = /kumi-bench-cpu (\S+) (\S+)/.exec(stderr);
    if (result.status !== 0 || !times) throw new Error(`${file} ${args.join(' ')} exited ${result.status} (GNU time is needed: apt-get install time): ${stderr.trim()}`);
    if (run === 0) continue;
    wall.push(ms);
    cpu.push((Number(times[1]) + Number(times[2])) * 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const kumi = medianMs(kumiFile, ['--version']);
const floor = medianMs(bareNode, ['-e', '0']);
const figures = (m: { wall: number; cpu: number }) => `median ${m.wall.toFixed(1)} ms wall, ${m.cpu.toFixed(0)} ms CPU`;
console.log(`machine: ${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}; ${runs} runs each`);
console.log(`kumi --version          ${figures(kumi)}  (${kumiFile})`);
console.log(`bare node -e 0 (floor)  ${figures(floor)}  (node ${runtime.version})`);
console.log(`kumi's own start-up     ${(kumi.wall - floor.wall).toFixed(1)} ms wall, ${(kumi.cpu - floor.cpu).toFixed(0)} ms CPU above the runtime floor; target: kumi --version <= 150 ms`);
