// Herd benchmark (issue 11, 7b): one process plays N agents with real keys and CSRs
// against a real `kumi serve` process on 127.0.0.1. All enroll at once (each from its own
// source address 127.77.x.y, with the agent's own retry policy), each attaches over mutual
// TLS as soon as it has its certificate, then one no-op step runs on every host through
// the coordinator's Control service (RunStep per host on one control connection), and
// finally `kumi serve` is stopped with every agent attached. Keys and CSRs are made before
// the clock starts (they are the agents' work, not the coordinator's); tokens are minted
// through the store beforehand too. Not a test: it prints a table for docs/benchmarks.md.
//
//   npx tsx tools/bench/herd.ts [--agents 1000] [--runs 3] [--flood 0 --legit 20]
//     --attach-only  the hosts are enrolled in the set-up (certificates issued and recorded
//                 beforehand): measures N agents attaching and held, one step on all, stop
//     --flood N   also keep N unauthenticated Enroll calls (unknown token) in flight from
//                 10 other addresses (a separate process, tools/bench/herd-flood.ts) while
//                 --legit agents enroll one after another; prints their latency.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { type ControlClient, kumiV1, type StepEvent__Output } from '@kumi/proto';
import { machine } from './machine';
import { AttachStats, enrollLikeAgent, HerdAttachment, HerdStats, makeHerdKeys } from './herd-agent';
import { bundleKumi, prepareCluster, prepareEnrolledCluster, processCpuSeconds, processDescriptors, processMemory, runFolder, startServe } from './herd-coordinator';
import { sourceAddress } from './herd-enroll-client';
import { median } from './process-memory';

const { values } = parseArgs({ options: { 'attach-only': { type: 'boolean', default: false }, agents: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' }, flood: { type: 'string', default: '0' }, legit: { type: 'string', default: '20' } } });
const AGENTS = Number(values.agents);
const RUNS = Number(values.runs);
const FLOOD = Number(values.flood);
const LEGIT = Number(values.legit);
const ATTACH_LIMIT_MS = 900_000;

interface RunFigures {
  enrollS: number;
  attachedS: number;
  stepS: number;
  stopMs: number;
  coordinatorCpuS: number;
  simulatorCpuS: number;
  rssAttachedMiB: number;
  peakMiB: number;
  /** Open descriptors of kumi serve with all attached, and its limit (soft/hard) as the process sees it. */
  descriptors: string;
  permanent: number;
  retries: number;
  retriedBy: string;
  /** Attach streams that ended before the stop, by status (each reattached as the agent does). */
  reattachedBy: string;
  stepFailures: number;
}

function controlClient(socket: string): ControlClient {
  return new (kumiV1().Control)(`unix:${socket}`, credentials.createInsecure());
}

async function attachedCount(client: ControlClient): Promise<number> {
  return new Promise((resolve) => client.listAgents({}, (error, value) => resolve(error || !value ? -1 : value.agents.length)));
}

function runNoop(client: ControlClient, host: string): Promise<string> {
  return new Promise((resolve) => {
    const call = client.runStep({ host, step: 'noop.check' });
    let last = '';
    call.on('data', (event: StepEvent__Output) => (last = String(event.kind)));
    call.on('end', () => resolve(last));
    call.on('error', (error: ServiceError) => resolve(`error ${error.code}`));
  });
}

async function herdRun(kumi: string, run: number): Promise<RunFigures> {
  const folder = await runFolder();
  const attachments: HerdAttachment[] = [];
  try {
    const names = Array.from({ length: AGENTS }, (_, i) => `h${i}`);
    const keys = await makeHerdKeys(names);
    const attachOnly = values['attach-only'] === true;
    const cluster = attachOnly ? { ...(await prepareEnrolledCluster(folder.root, keys)), tokens: [] as string[] } : { ...(await prepareCluster(folder.root, names)), certs: [] as string[] };
    const serve = await startServe(kumi, cluster.dir);
    const pid = serve.child.pid as number;
    const control = controlClient(serve.controlSocket);
    try {
      const stats = new HerdStats();
      const reattached = new AttachStats();
      const cpu0 = await processCpuSeconds(pid);
      const sim0 = process.cpuUsage();
      const begin = performance.now();
      let enrolledAt = 0;
      const stop = AbortSignal.timeout(ATTACH_LIMIT_MS);
      const enrolling = keys.map(async (key, i) => {
        const host = { ...key, token: cluster.tokens[i] as string, sourceAddress: sourceAddress(77, i) };
        const certPem = attachOnly ? cluster.certs[i] : await enrollLikeAgent(host, serve.port, cluster.caPem, stats, stop);
        enrolledAt = performance.now();
        // A real agent attaches as soon as it holds its certificate.
        if (certPem) attachments.push(new HerdAttachment(`127.0.0.1:${serve.port}`, cluster.caPem, key.hostName, { keyPem: key.keyPem, certPem }, reattached));
      });
      await Promise.all(enrolling);
      let attached = await attachedCount(control);
      let said = performance.now();
      while (attached < AGENTS - stats.permanent.length && performance.now() - begin < ATTACH_LIMIT_MS) {
        await new Promise((done) => setTimeout(done, 100));
        attached = await attachedCount(control);
        if (performance.now() - said > 10_000) {
          said = performance.now();
          const rss = await processMemory(pid);
          process.stderr.write(`  ${((said - begin) / 1000).toFixed(0)} s: ${attached} attached, streams ended and reattached ${reattached.count} (${[...reattached.ended].map(([code, n]) => `${code}:${n}`).join(' ')}), coordinator RSS ${rss.rssMiB.toFixed(0)} MiB, ${(await processDescriptors(pid)).open} descriptors open\n`);
        }
      }
      const attachedAt = performance.now();
      const rssAttached = await processMemory(pid);
      const fds = await processDescriptors(pid);
      const stepBegin = performance.now();
      const kinds = await Promise.all(attachments.map((attachment) => runNoop(control, attachment.hostName)));
      const stepS = (performance.now() - stepBegin) / 1000;
      const coordinatorCpuS = (await processCpuSeconds(pid)) - cpu0;
      const sim = process.cpuUsage(sim0);
      const peak = await processMemory(pid);
      const reattachedBy = [...reattached.ended].map(([code, n]) => `${code}:${n}`).join(' ');
      for (const attachment of attachments) attachment.stopReattaching();
      const stopMs = await serve.stop();
      const figures: RunFigures = {
        enrollS: (enrolledAt - begin) / 1000,
        attachedS: attached >= AGENTS ? (attachedAt - begin) / 1000 : Number.NaN,
        stepS,
        stopMs,
        coordinatorCpuS,
        simulatorCpuS: (sim.user + sim.system) / 1e6,
        rssAttachedMiB: rssAttached.rssMiB,
        peakMiB: peak.peakMiB,
        descriptors: `${fds.open} open (limit ${fds.soft}/${fds.hard})`,
        permanent: stats.permanent.length,
        retries: stats.retries,
        retriedBy: [...stats.retried].map(([code, n]) => `${code}:${n}`).join(' '),
        reattachedBy,
        stepFailures: kinds.filter((kind) => kind !== 'EVENT_KIND_NOOP').length,
      };
      process.stdout.write(`run ${run}: ${JSON.stringify(figures)}\n`);
      if (stats.permanent.length > 0) process.stdout.write(`  permanent refusals, e.g.: ${JSON.stringify(stats.permanent.slice(0, 3))}\n`);
      return figures;
    } finally {
      control.close();
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  } finally {
    for (const attachment of attachments) attachment.close();
    await folder.remove();
  }
}

async function floodRun(kumi: string, run: number): Promise<{ latenciesMs: number[]; retries: number; permanent: number; flood: string; coordinatorCpuS: number }> {
  const folder = await runFolder();
  try {
    const names = Array.from({ length: LEGIT }, (_, i) => `legit-${i}`);
    const keys = await makeHerdKeys(names);
    const cluster = await prepareCluster(folder.root, names);
    const caFile = join(folder.root, 'ca.pem');
    await writeFile(caFile, cluster.caPem);
    const serve = await startServe(kumi, cluster.dir);
    const flood = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'herd-flood.ts'), '--port', String(serve.port), '--ca', caFile, '--in-flight', String(FLOOD), '--peers', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let floodOut = '';
    flood.stdout?.on('data', (chunk: Buffer) => (floodOut += chunk.toString()));
    try {
      while (!floodOut.includes('flooding') && flood.exitCode === null) await new Promise((done) => setTimeout(done, 20));
      // Past the flood's start, when every bogus call is in flight.
      await new Promise((done) => setTimeout(done, 3_000));
      const cpu0 = await processCpuSeconds(serve.child.pid as number);
      const stats = new HerdStats();
      const latenciesMs: number[] = [];
      for (const [i, key] of keys.entries()) {
        const begin = performance.now();
        await enrollLikeAgent({ ...key, token: cluster.tokens[i] as string, sourceAddress: sourceAddress(88, i) }, serve.port, cluster.caPem, stats, AbortSignal.timeout(60_000));
        latenciesMs.push(performance.now() - begin);
      }
      const coordinatorCpuS = (await processCpuSeconds(serve.child.pid as number)) - cpu0;
      flood.kill('SIGTERM');
      await new Promise((done) => flood.once('exit', done));
      const result = JSON.parse(floodOut.split('\n').find((line) => line.startsWith('{')) ?? '{}') as { answers?: Record<string, number>; cpuMs?: number };
      const figures = { latenciesMs: latenciesMs.map(Math.round), retries: stats.retries, permanent: stats.permanent.length, flood: JSON.stringify(result.answers ?? {}), coordinatorCpuS };
      process.stdout.write(`flood run ${run}: ${JSON.stringify(figures)}\n`);
      return figures;
    } finally {
      if (flood.exitCode === null) flood.kill('SIGKILL');
      await serve.stop();
    }
  } finally {
    await folder.remove();
  }
}

const build = await runFolder();
try {
  process.stdout.write(`machine: ${await machine()}\n`);
  const kumi = await bundleKumi(build.root);
  if (FLOOD > 0) {
    const runs = [];
    for (let run = 1; run <= RUNS; run++) runs.push(await floodRun(kumi, run));
    const all = runs.flatMap((r) => r.latenciesMs);
    process.stdout.write(
      `\nflood of ${FLOOD} in-flight unauthenticated Enroll calls; ${LEGIT} legitimate enrollments per run, one after another (${RUNS} runs)\n` +
        `| legit latency median | p90 | max | legit retries | legit refusals | coordinator CPU during legit (s, median) |\n|---|---|---|---|---|---|\n` +
        `| ${median(all).toFixed(0)} ms | ${[...all].sort((a, b) => a - b)[Math.floor(all.length * 0.9)]} ms | ${Math.max(...all)} ms | ${runs.reduce((s, r) => s + r.retries, 0)} | ${runs.reduce((s, r) => s + r.permanent, 0)} | ${median(runs.map((r) => r.coordinatorCpuS)).toFixed(1)} |\n`,
    );
  } else {
    const runs: RunFigures[] = [];
    for (let run = 1; run <= RUNS; run++) runs.push(await herdRun(kumi, run));
    const m = (pick: (r: RunFigures) => number) => median(runs.map(pick));
    process.stdout.write(
      `\n${AGENTS} simulated agents, median of ${RUNS} runs (machine: ${await machine()})\n` +
        '| all enrolled | all attached | one step on all | serve stop | coordinator CPU | simulator CPU | coordinator RSS attached | coordinator peak RSS | coordinator descriptors | refusals not retried | retries | step failures |\n' +
        '|---|---|---|---|---|---|---|---|---|---|---|---|\n' +
        `| ${m((r) => r.enrollS).toFixed(1)} s | ${m((r) => r.attachedS).toFixed(1)} s | ${m((r) => r.stepS).toFixed(2)} s | ${m((r) => r.stopMs).toFixed(0)} ms | ${m((r) => r.coordinatorCpuS).toFixed(1)} s | ${m((r) => r.simulatorCpuS).toFixed(1)} s | ${m((r) => r.rssAttachedMiB).toFixed(0)} MiB | ${m((r) => r.peakMiB).toFixed(0)} MiB | ${runs.map((r) => r.descriptors).join(' / ')} | ${runs.reduce((s, r) => s + r.permanent, 0)} | ${m((r) => r.retries)} (${runs.map((r) => r.retriedBy).join(' / ')}) | ${runs.reduce((s, r) => s + r.stepFailures, 0)} |\n`,
    );
  }
} finally {
  await build.remove();
}
process.exit(0);
