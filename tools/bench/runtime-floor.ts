// The idle RSS floor under any Node 20 build of the agent: the same pinned runtime,
// stripped and packaged as a single executable like kumi-agent, running scripts that do
// less and less of what the agent must do. Not a test: it prints a table for
// docs/benchmarks.md. Every layer sets the same young-generation flag as the agent.
//
//   npx tsx tools/bench/runtime-floor.ts [--runs N] [--idle-ms MS] [--from-disk]
//     --from-disk   drop each executable's pages from the page cache before every start, so
//                   that it is read from disk as after a reboot (default: started right after
//                   postject wrote it, like agent-footprint.ts --page-cache as-built). RSS is
//                   read --idle-ms after start (default 3000, as the figures in
//                   docs/benchmarks.md's history; agent-footprint.ts now reads at 20 s)
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { fetchNodeRuntime } from '../../apps/agent/package/fetch-node-runtime';
import { injectSeaBlob } from '../../apps/agent/package/inject-sea-blob';
import { makeSeaBlob } from '../../apps/agent/package/make-sea-blob';
import { NODE_RUNTIME_PACKAGES } from '../../apps/agent/package/node-runtimes';
import { stripBinary } from '../../apps/agent/package/strip-binary';
import { dropFromPageCache } from './page-cache';
import { median, readRss, type Rss } from './process-memory';
import { nodeRuntimeCacheDir } from '../../apps/agent/package/build-agent-binaries';
import { YOUNG_GENERATION_FLAG } from '../../apps/agent/src/runtime/young-generation';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'idle-ms': { type: 'string', default: '3000' },
    'from-disk': { type: 'boolean', default: false },
  },
});
const runs = Number(flags.runs);
const idleMs = Number(flags['idle-ms']);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs ${flags.runs}: give a whole number from 1 to 50`);
if (!Number.isInteger(idleMs) || idleMs < 0 || idleMs > 60_000) throw new Error(`--idle-ms ${flags['idle-ms']}: give 0..60000`);

const idleForever = 'setInterval(() => {}, 60_000);';
const youngGeneration = `require('node:v8').setFlagsFromString(${JSON.stringify(YOUNG_GENERATION_FLAG)});`;
/** Node built-ins the agent cannot do without: mTLS, HTTP/2 (gRPC), crypto, zlib, processes. */
const builtins = ['node:tls', 'node:http2', 'node:crypto', 'node:zlib', 'node:child_process'].map((name) => `require(${JSON.stringify(name)});`).join(' ');

/** Each layer adds one thing the agent needs; the last one is still far from an agent. */
const LAYERS: { name: string; source: string }[] = [
  { name: 'bare runtime, waits', source: `${youngGeneration} ${idleForever}` },
  { name: '+ tls, http2, crypto, zlib, child_process loaded', source: `${youngGeneration} ${builtins} ${idleForever}` },
  {
    name: '+ @grpc/grpc-js and the kumi.v1 services loaded (no connection)',
    source: `${youngGeneration} ${builtins} const grpc = require('@grpc/grpc-js'); const { kumiV1 } = require('@kumi/proto'); globalThis.keep = [grpc, kumiV1()]; ${idleForever}`,
  },
];

const children: ChildProcess[] = [];

async function packageLayer(source: string, workDir: string, node: string): Promise<string> {
  await mkdir(workDir, { recursive: true });
  const entry = join(workDir, 'entry.cjs');
  await writeFile(entry, `${source}\n`);
  const bundle = join(workDir, 'bundle.cjs');
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'silent',
    absWorkingDir: REPO_ROOT,
    nodePaths: [join(REPO_ROOT, 'node_modules')],
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  const staged = join(workDir, 'floor-sea');
  await copyFile(node, staged);
  await stripBinary(staged, 'x64');
  await injectSeaBlob(staged, await makeSeaBlob(bundle, workDir));
  return staged;
}

async function idleRss(executable: string): Promise<Rss> {
  if (flags['from-disk']) await dropFromPageCache(executable);
  const child = spawn(executable, [], { stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
  children.push(child);
  await sleep(idleMs);
  const rss = await readRss(child.pid as number);
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
  return rss;
}

async function main(): Promise<void> {
  if (process.arch !== 'x64') throw new Error(`this machine is ${process.arch}: the floor is measured with the x64 runtime on an x86-64 machine`);
  const base = await mkdtemp(join(os.tmpdir(), 'kumi-floor-'));
  try {
    const node = await fetchNodeRuntime(NODE_RUNTIME_PACKAGES.x64, nodeRuntimeCacheDir(REPO_ROOT));
    const executables: string[] = [];
    for (const [index, layer] of LAYERS.entries()) executables.push(await packageLayer(layer.source, join(base, `layer${index}`), node));
    console.log(`Runs: ${runs} (medians), RSS sampled ${idleMs} ms after start, ${flags['from-disk'] ? 'page cache dropped before each start (read from disk)' : 'started as postject wrote them'}; load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}`);
    console.log('');
    console.log('| single executable (Node ' + process.version + ') | idle RSS | anonymous | file-backed |');
    console.log('| --- | --- | --- | --- |');
    for (const [index, layer] of LAYERS.entries()) {
      const samples: Rss[] = [];
      for (let sample = 0; sample < runs; sample += 1) samples.push(await idleRss(executables[index] as string));
      const mid = (pick: (sample: Rss) => number) => median(samples.map(pick)).toFixed(1);
      console.log(`| ${layer.name} | ${mid((sample) => sample.total)} MiB | ${mid((sample) => sample.anon)} | ${mid((sample) => sample.file)} |`);
    }
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  console.error(`runtime-floor: ${(error as Error).message}`);
  process.exitCode = 1;
});
