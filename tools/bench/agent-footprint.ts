// Footprint of the packaged kumi-agent (x64): file size, start-to-attached time and idle
// RSS after attach, against a real `kumi serve` on 127.0.0.1. Medians of --runs runs
// (default 7, at least 5). Not a test: it prints a table to paste into docs/benchmarks.md.
//
//   npx tsx tools/bench/agent-footprint.ts [--runs N] [--idle-ms MS] [--page-cache MODE]
//                                          [--node-options "..."] [--agent-env K=V]...
//     --idle-ms     when "idle" RSS is read after attach (default 20000: after V8's memory
//                   reducer has run; RSS 3 s after attach is shown too, as start-up transient)
//     --page-cache  how the executable's pages are in the page cache when it starts:
//                   installed  copied before each first start the way `kumi-agent install`
//                              copies it to /usr/local/bin (default; a VM's first boot)
//                   disk       dropped from the cache before each start (every later boot)
//                   as-built   the build's own file, as postject wrote it in one go
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { kumiV1, type ControlClient, type ListAgentsResponse__Output } from '@kumi/proto';
import { buildAgentBinaries, nodeRuntimeCacheDir } from '../../apps/agent/package/build-agent-binaries';
import { fetchNodeRuntime } from '../../apps/agent/package/fetch-node-runtime';
import { injectSeaBlob } from '../../apps/agent/package/inject-sea-blob';
import { makeSeaBlob } from '../../apps/agent/package/make-sea-blob';
import { NODE_RUNTIME_PACKAGES } from '../../apps/agent/package/node-runtimes';
import { stripBinary } from '../../apps/agent/package/strip-binary';
import { dropFromPageCache } from './page-cache';
import { machine } from './machine';
import { median, readRss, type Rss } from './process-memory';
import { YOUNG_GENERATION_FLAG } from '../../apps/agent/src/runtime/young-generation';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TARGETS = { fileMb: 100, idleRssMb: 60, attachMs: 1000 };
const POLL_MS = 5;
const ATTACH_LIMIT_MS = 20_000;
/** RSS this long after attach is the start-up transient, shown next to the idle figure. */
const TRANSIENT_MS = 3_000;
const run = promisify(execFile);

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    'idle-ms': { type: 'string', default: '20000' },
    'page-cache': { type: 'string', default: 'installed' },
    'node-options': { type: 'string' },
    'agent-env': { type: 'string', multiple: true, default: [] },
  },
});
const runs = Number(flags.runs);
const idleMs = Number(flags['idle-ms']);
if (!Number.isInteger(runs) || runs < 5 || runs > 50) throw new Error(`--runs ${flags.runs}: give a whole number from 5 to 50 (medians of fewer runs are noise)`);
if (!Number.isInteger(idleMs) || idleMs < TRANSIENT_MS || idleMs > 120_000) throw new Error(`--idle-ms ${flags['idle-ms']}: give ${TRANSIENT_MS}..120000`);
const PAGE_CACHE_MODES = ['installed', 'disk', 'as-built'] as const;
type PageCacheMode = (typeof PAGE_CACHE_MODES)[number];
const pageCache = flags['page-cache'] as PageCacheMode;
if (!PAGE_CACHE_MODES.includes(pageCache)) throw new Error(`--page-cache ${flags['page-cache']}: give one of ${PAGE_CACHE_MODES.join(', ')}`);
const PAGE_CACHE_NOTE: Record<PageCacheMode, string> = {
  installed: 'executables copied like `kumi-agent install` copies them before each first start (first boot of a VM)',
  disk: 'executables read from disk (page cache dropped before each start: every boot after the first)',
  'as-built': 'executables started as the build wrote them (one large write: large page-cache folios)',
};

/** Every child this script started; all are killed on the way out, by pid. */
const children: ChildProcess[] = [];

function start(file: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const late = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function listAgents(client: ControlClient): Promise<ListAgentsResponse__Output> {
  return new Promise((done, fail) => client.ListAgents({}, { deadline: Date.now() + 2_000 }, (error, response) => (error || !response ? fail(error) : done(response))));
}

/** Polls the coordinator until `host` is attached (or, with present=false, gone); returns when. */
async function waitForHost(client: ControlClient, host: string, present: boolean): Promise<bigint> {
  const deadline = Date.now() + ATTACH_LIMIT_MS;
  while (Date.now() < deadline) {
    const listed = (await listAgents(client)).agents.some((agent) => agent.hostName === host);
    if (listed === present) return process.hrtime.bigint();
    await sleep(POLL_MS);
  }
  throw new Error(`${host} was not ${present ? 'attached' : 'detached'} within ${ATTACH_LIMIT_MS} ms`);
}

/**
 * The file to start, with its pages in the page cache as --page-cache asks: a fresh copy
 * (what `kumi-agent install` leaves: fs.copyFile into place), dropped from the cache, or
 * the file as given.
 */
async function placeExecutable(path: string, copyTo: string): Promise<string> {
  if (pageCache === 'installed') {
    await copyFile(path, copyTo);
    return copyTo;
  }
  if (pageCache === 'disk') await dropFromPageCache(path);
  return path;
}

/** RSS at TRANSIENT_MS after attach and at idleMs after attach. */
async function sampleRss(pid: number): Promise<{ transient: number; idle: Rss }> {
  await sleep(TRANSIENT_MS);
  const transient = (await readRss(pid)).total;
  await sleep(idleMs - TRANSIENT_MS);
  return { transient, idle: await readRss(pid) };
}

/**
 * The floor under any Node-based agent: the same runtime, packaged the same way (stripped,
 * the agent's young-generation flag), running a script that only waits. Its RSS is what
 * Node itself costs before kumi adds anything.
 */
async function bareSeaRss(base: string, env: NodeJS.ProcessEnv): Promise<Rss> {
  const dir = join(base, 'bare-sea');
  await mkdir(dir, { recursive: true });
  const script = join(dir, 'idle.cjs');
  await writeFile(script, `require('node:v8').setFlagsFromString(${JSON.stringify(YOUNG_GENERATION_FLAG)});\nsetInterval(() => {}, 60_000);\n`);
  const executable = join(dir, 'idle-sea');
  await writeFile(executable, await readFile(await fetchNodeRuntime(NODE_RUNTIME_PACKAGES.x64, nodeRuntimeCacheDir(REPO_ROOT))), { mode: 0o755 });
  await stripBinary(executable, 'x64');
  await injectSeaBlob(executable, await makeSeaBlob(script, dir));
  const idle = start(await placeExecutable(executable, join(dir, 'idle-sea-installed')), [], env);
  await sleep(idleMs);
  const rss = await readRss(idle.child.pid as number);
  await stop(idle.child);
  return rss;
}

async function main(): Promise<void> {
  if (process.arch !== 'x64') throw new Error(`this machine is ${process.arch}: the benchmark runs the x64 agent and needs an x86-64 machine`);
  const build = await buildAgentBinaries({ repoRoot: REPO_ROOT, log: (line) => console.error(line) });
  const agentFile = build.binaries.find((binary) => binary.arch === 'x64');
  if (!agentFile) throw new Error('no x64 binary was built');
  const base = await mkdtemp(join(os.tmpdir(), 'kumi-bench-'));
  let client: ControlClient | undefined;
  try {
    const kumiBundle = join(base, 'kumi.cjs');
    await run(process.execPath, ['tools/build/bundle.mjs', 'apps/coordinator/src/main.ts', kumiBundle, '--all'], { cwd: REPO_ROOT });
    const stateDir = join(base, 'cluster');
    const kumi = (args: string[]) => run(process.execPath, [kumiBundle, '--state-dir', stateDir, ...args], { timeout: 30_000 });
    const port = await freePort();
    const init = await kumi(['init', '--name', 'bench', '--port', String(port), '--listen-host', '127.0.0.1']);
    const caPin = /CA pin:\s+(sha256:[0-9a-f]{64})/.exec(init.stdout)?.[1];
    if (!caPin) throw new Error(`kumi init printed no CA pin:\n${init.stdout}`);
    const serve = start(process.execPath, [kumiBundle, '--state-dir', stateDir, 'serve'], process.env);
    const socket = join(stateDir, 'control.sock');
    for (let waited = 0; !serve.output().includes('listening on'); waited += 50) {
      if (waited > 15_000 || serve.child.exitCode !== null) throw new Error(`kumi serve did not start:\n${serve.output()}`);
      await sleep(50);
    }
    client = new (kumiV1().Control)(`unix:${socket}`, credentials.createInsecure());

    const extraEnv = Object.fromEntries(flags['agent-env'].map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...extraEnv, ...(flags['node-options'] ? { NODE_OPTIONS: flags['node-options'] } : {}) };
    const firstAttach: number[] = [];
    const restartAttach: number[] = [];
    const idleRss: number[] = [];
    const idleAnon: number[] = [];
    const idleFile: number[] = [];
    const restartIdleRss: number[] = [];
    const restartIdleAnon: number[] = [];
    const transientRss: number[] = [];
    const restartTransientRss: number[] = [];
    for (let index = 1; index <= runs; index += 1) {
      const host = `bench-${index}`;
      const home = join(base, host);
      await mkdir(join(home, 'root'), { recursive: true });
      const token = /^token:\s+(\S+)$/m.exec((await kumi(['token', 'create', '--host', host, '--ttl', '10m'])).stdout)?.[1];
      if (!token) throw new Error('kumi token create printed no token');
      const config = join(home, 'agent.yaml');
      await writeFile(config, `coordinator: "127.0.0.1:${port}"\ncaPin: "${caPin}"\ntoken: "${token}"\nhostName: "${host}"\n`, { mode: 0o600 });
      const args = ['run', '--config', config, '--state-dir', join(home, 'state'), '--root', join(home, 'root')];

      // First start: makes its key, enrolls with the token, attaches.
      const executable = await placeExecutable(agentFile.path, join(home, 'kumi-agent'));
      let began = process.hrtime.bigint();
      let agent = start(executable, args, env);
      firstAttach.push(Number((await waitForHost(client, host, true)) - began) / 1e6);
      const first = await sampleRss(agent.child.pid as number);
      transientRss.push(first.transient);
      idleRss.push(first.idle.total);
      idleAnon.push(first.idle.anon);
      idleFile.push(first.idle.file);
      await stop(agent.child);
      await waitForHost(client, host, false);

      // Restart (the same file; a service restart, or with --page-cache disk a reboot):
      // stored certificate, attach. Enrollment code is never loaded on this path.
      if (pageCache === 'disk') await dropFromPageCache(executable);
      began = process.hrtime.bigint();
      agent = start(executable, args, env);
      restartAttach.push(Number((await waitForHost(client, host, true)) - began) / 1e6);
      const restart = await sampleRss(agent.child.pid as number);
      restartTransientRss.push(restart.transient);
      restartIdleRss.push(restart.idle.total);
      restartIdleAnon.push(restart.idle.anon);
      await stop(agent.child);
      await waitForHost(client, host, false);
      console.error(`run ${index}/${runs}: enroll+attach ${firstAttach.at(-1)?.toFixed(0)} ms, restart+attach ${restartAttach.at(-1)?.toFixed(0)} ms, idle RSS ${idleRss.at(-1)?.toFixed(1)} / ${restartIdleRss.at(-1)?.toFixed(1)} MiB (at ${TRANSIENT_MS / 1000} s: ${transientRss.at(-1)?.toFixed(1)} / ${restartTransientRss.at(-1)?.toFixed(1)})`);
    }
    await stop(serve.child);
    const floor = await bareSeaRss(base, env);

    const fileMb = agentFile.sizeBytes / 1e6;
    const row = (name: string, values: number[] | number, unit: string, target: number) => {
      const list = Array.isArray(values) ? values : [values];
      const mid = median(list);
      const spread = list.length > 1 ? `${Math.min(...list).toFixed(1)} … ${Math.max(...list).toFixed(1)}` : '';
      return `| ${name} | ${mid.toFixed(1)} ${unit} | ${spread} | ≤ ${target} ${unit} | ${mid <= target ? 'met' : 'MISSED'} |`;
    };
    console.log(`Machine: ${await machine()}`);
    const settings = [...(flags['node-options'] ? [`NODE_OPTIONS="${flags['node-options']}"`] : []), ...flags['agent-env']];
    console.log(`Runs: ${runs} (medians), idle RSS read ${idleMs / 1000} s after attach; ${PAGE_CACHE_NOTE[pageCache]}${settings.length > 0 ? `; agent environment: ${settings.join(' ')}` : ''}`);
    console.log('');
    console.log('| metric | median | min … max | target | |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(row('file size, kumi-agent-linux-x64', fileMb, 'MB', TARGETS.fileMb));
    console.log(row('start to attached, first boot (key + enroll + attach)', firstAttach, 'ms', TARGETS.attachMs));
    console.log(row('start to attached, restart (stored certificate)', restartAttach, 'ms', TARGETS.attachMs));
    const detail = (name: string, values: number[]) => `| ${name} | ${median(values).toFixed(1)} MiB | ${Math.min(...values).toFixed(1)} … ${Math.max(...values).toFixed(1)} | | |`;
    console.log(row('idle RSS after attach, first boot', idleRss, 'MiB', TARGETS.idleRssMb));
    console.log(detail('… of which anonymous (V8 heap, malloc, stacks)', idleAnon));
    console.log(detail('… of which file-backed (pages of the executable, shared libraries)', idleFile));
    console.log(detail(`… ${TRANSIENT_MS / 1000} s after attach (start-up transient)`, transientRss));
    console.log(row('idle RSS after attach, restart', restartIdleRss, 'MiB', TARGETS.idleRssMb));
    console.log(detail('… of which anonymous', restartIdleAnon));
    console.log(detail(`… ${TRANSIENT_MS / 1000} s after attach (start-up transient)`, restartTransientRss));
    console.log(`| for comparison: the bare Node ${process.version} SEA, idle | ${floor.total.toFixed(1)} MiB (anonymous ${floor.anon.toFixed(1)}, file-backed ${floor.file.toFixed(1)}) | | | |`);
  } finally {
    client?.close();
    await Promise.all(children.map((child) => stop(child)));
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`agent-footprint: ${(error as Error).message}`);
  process.exitCode = 1;
});
