// Many hosts, one command: N real kumi-agent processes (the bundle the lab runs with node),
// each in its own network namespace on a private bridge (10.231.0.0/16, in the benchmark's
// own switch namespace; the machine's namespace sees nothing), a real `kumi serve` on that
// bridge, and M no-op steps on every host. Prints wall time, CPU per process group,
// coordinator RSS and failures, medians of --runs rounds on the same fleet. Needs root.
// Not a test: it prints a table to paste into docs/benchmarks.md.
//
//   npx tsx tools/bench/many-hosts.ts [--hosts 50] [--steps 20] [--runs 3] [--step swap.off]
//        [--driver cli|control] [--agent-bundle FILE]
//     --driver        cli (default): the product's one `kumi run STEP --step … --host a,b` (kumiRunCommands);
//                     control: the same RunStep calls from this one process over the control socket
//     --agent-bundle  run this kumi-agent bundle instead of one built from the tree (e.g. an
//                     older commit's, for a before/after figure)
//     --agent-node-arg  a node option for every agent, e.g. --cpu-prof (repeatable)
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { kumiV1, type ControlClient, type ListAgentsResponse__Output } from '@kumi/proto';
import { machine } from './machine';
import { groupCpuMs, peakRssMiB, processCpuMs, waitedChildrenCpuMs } from './many-hosts-cpu';
import { driveWithCli, driveWithControl, kumiRunCommands, type StepResult } from './many-hosts-drive';
import { COORDINATOR_ADDRESS, createHosts, createSwitch, inNamespace, releaseNamespaces, type Namespace } from './many-hosts-network';
import { median, readRss } from './process-memory';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PORT = 7443;
const TARGETS = { wallS: 4, agentCpuMsPerStep: 3 };
const ATTACH_LIMIT_MS = 300_000;
const STEP_TIMEOUT_MS = 120_000;
const TOKEN_PARALLEL = 4;
/** Agent restarts allowed while the fleet attaches (all agents together). */
const MAX_RESTARTS = 100;
const run = promisify(execFile);

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string', default: '50' },
    steps: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    step: { type: 'string', default: 'swap.off' },
    driver: { type: 'string', default: 'cli' },
    'agent-bundle': { type: 'string' },
    'agent-node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const wholeIn = (name: string, value: string, min: number, max: number): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new Error(`--${name} ${value}: give a whole number from ${min} to ${max}`);
  return parsed;
};
const hostCount = wholeIn('hosts', flags.hosts, 1, 1000);
const stepCount = wholeIn('steps', flags.steps, 1, 1000);
const runs = wholeIn('runs', flags.runs, 1, 20);
if (flags.driver !== 'cli' && flags.driver !== 'control') throw new Error(`--driver ${flags.driver}: give cli or control`);
const driver = flags.driver;

/** Every long-running child (serve, agents); killed by pid on the way out. */
const children: ChildProcess[] = [];
const holders: Namespace[] = [];

/** How long children get to exit on SIGTERM at the end (agents flush their outbox) before SIGKILL. */
const STOP_GRACE_MS = 3_000;

/** SIGTERM to every child still running, SIGKILL to those still there after STOP_GRACE_MS. */
/** Longest one agent may take to exit on SIGTERM before it counts as not stopped. */
const AGENT_STOP_LIMIT_MS = 2_000;

/** SIGTERMs the agents one after the other; each one's ms until exit (AGENT_STOP_LIMIT_MS or more: it did not stop). */
async function stopAgents(agents: ChildProcess[]): Promise<number[]> {
  const times: number[] = [];
  for (const agent of agents) {
    if (agent.exitCode !== null || agent.signalCode !== null) continue;
    const began = performance.now();
    const exited = new Promise((done) => agent.once('exit', done));
    agent.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, AGENT_STOP_LIMIT_MS)))]);
    clearTimeout(timer);
    times.push(performance.now() - began);
  }
  return times;
}

async function stopChildren(): Promise<void> {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = running.map((child) => new Promise((done) => child.once('exit', done)));
  for (const child of running) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(exited), new Promise((done) => (timer = setTimeout(done, STOP_GRACE_MS)))]);
  clearTimeout(timer);
}

function killEverything(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  releaseNamespaces(holders);
}

/** Starts a long-running process with its output in `logFile`. */
function startLogged(argv: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a', 0o600);
  const [file, ...args] = argv;
  const child = spawn(file!, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.push(child);
  return child;
}

async function bundle(entry: string, out: string): Promise<void> {
  await run(process.execPath, ['tools/build/bundle.mjs', entry, out, '--all'], { cwd: REPO_ROOT, timeout: 180_000 });
}

function listAgents(client: ControlClient): Promise<ListAgentsResponse__Output> {
  return new Promise((done, fail) => client.ListAgents({}, { deadline: Date.now() + 5_000 }, (error, response) => (error || !response ? fail(error) : done(response))));
}

/** Runs `work` on every item, at most `parallel` at a time. */
async function eachLimited<T>(items: readonly T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next]!;
        next += 1;
        await work(item);
      }
    }),
  );
}

interface Round {
  wallMs: number;
  agentCpuMs: number;
  coordinatorCpuMs: number;
  clientCpuMs: number;
  coordinatorRssMiB: number;
  failures: StepResult[];
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark makes network namespaces and a bridge');
  const base = await mkdtemp(join(os.tmpdir(), 'kumi-many-hosts-'));
  const stopOnSignal = (): void => {
    killEverything();
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let client: ControlClient | undefined;
  /** The logs stay for a look when the benchmark failed. */
  let kept = true;
  try {
    const kumiBundle = join(base, 'kumi.cjs');
    const agentBundle = flags['agent-bundle'] ? resolve(flags['agent-bundle']) : join(base, 'kumi-agent.cjs');
    await Promise.all([bundle('apps/coordinator/src/main.ts', kumiBundle), ...(flags['agent-bundle'] ? [] : [bundle('apps/agent/src/main.ts', agentBundle)])]);

    const switchNs = await createSwitch(holders);
    const hostNs = await createHosts(switchNs, hostCount, holders);
    const hosts = hostNs.map((_, index) => `h${index + 1}`);
    const stateDir = join(base, 'cluster');
    // Every kumi command runs in the switch namespace too: it reaches serve through the
    // control socket (a file), and nothing it does can touch the machine's network.
    const kumiArgv = inNamespace(switchNs, [process.execPath, kumiBundle, '--state-dir', stateDir]);
    const kumi = async (args: string[]): Promise<string> => (await run(kumiArgv[0]!, [...kumiArgv.slice(1), ...args], { timeout: 60_000 })).stdout;

    const init = await kumi(['init', '--name', 'bench', '--address', COORDINATOR_ADDRESS, '--listen-host', COORDINATOR_ADDRESS, '--port', String(PORT)]);
    const caPin = /CA pin:\s+(sha256:[0-9a-f]{64})/.exec(init)?.[1];
    if (!caPin) throw new Error(`kumi init printed no CA pin:\n${init}`);
    const serve = startLogged([...kumiArgv, 'serve'], join(base, 'serve.log'));
    const servePid = serve.pid!;
    client = new (kumiV1().Control)(`unix:${join(stateDir, 'control.sock')}`, credentials.createInsecure());

    // `kumi token create` reaches serve through its control socket; until serve answers
    // there, the command would find the state folder held and give up.
    const servingBy = Date.now() + 60_000;
    while (!(await listAgents(client).then(() => true, () => false))) {
      if (Date.now() > servingBy || serve.exitCode !== null) throw new Error(`kumi serve did not answer on its control socket within 60 s; see ${join(base, 'serve.log')}`);
      await new Promise((done) => setTimeout(done, 50));
    }
    console.error(`${hostCount} hosts: tokens, agents …`);
    const agents = new Map<string, ChildProcess>();
    const restartArgv = new Map<string, string[]>();
    let restarts = 0;
    await eachLimited(hosts, TOKEN_PARALLEL, async (host) => {
      const token = /^token:\s+(\S+)$/m.exec(await kumi(['token', 'create', '--host', host, '--ttl', '2h']))?.[1];
      if (!token) throw new Error(`kumi token create --host ${host} printed no token`);
      const home = join(base, 'hosts', host);
      // An empty root: the no-op step finds no swap, fstab or swap unit there.
      await mkdir(join(home, 'root'), { recursive: true });
      await writeFile(join(home, 'token'), `${token}\n`, { mode: 0o600 });
      await writeFile(join(home, 'agent.yaml'), '', { mode: 0o600 });
      const ns = hostNs[hosts.indexOf(host)]!;
      const agentArgs = ['run', '--config', join(home, 'agent.yaml'), '--coordinator', `${COORDINATOR_ADDRESS}:${PORT}`, '--ca-pin', caPin, '--host-name', host];
      agentArgs.push('--state-dir', join(home, 'state'), '--root', join(home, 'root'), '--token-file', join(home, 'token'));
      const argv = inNamespace(ns, [process.execPath, ...flags['agent-node-arg'], agentBundle, ...agentArgs]);
      agents.set(host, startLogged(argv, join(home, 'agent.log')));
      restartArgv.set(host, argv);
    });
    const attachDeadline = Date.now() + ATTACH_LIMIT_MS;
    for (;;) {
      const attached = await listAgents(client).then((list) => list.agents.length, () => 0);
      if (attached === hostCount) break;
      // An agent that gave up (today: an enrollment refused while the coordinator was
      // busy) is started again, as systemd's Restart=always does on a host.
      for (const [host, agent] of agents) {
        if (agent.exitCode === null && agent.signalCode === null) continue;
        if (restarts >= MAX_RESTARTS) throw new Error(`agents exited ${restarts} times before all attached (logs under ${base}/hosts)`);
        restarts += 1;
        agents.set(host, startLogged(restartArgv.get(host)!, join(base, 'hosts', host, 'agent.log')));
      }
      if (Date.now() > attachDeadline) throw new Error(`${attached} of ${hostCount} agents attached within ${ATTACH_LIMIT_MS / 1000} s (logs under ${base}/hosts)`);
      await new Promise((done) => setTimeout(done, 200));
    }

    const agentPids = [...agents.values()].map((agent) => agent.pid!);
    const steps = Array.from({ length: stepCount }, () => flags.step);
    const drive = (hostList: readonly string[], stepList: readonly string[]): Promise<StepResult[]> =>
      driver === 'cli'
        ? driveWithCli(kumiArgv, kumiRunCommands(hostList, stepList), 1, STEP_TIMEOUT_MS)
        : driveWithControl(join(stateDir, 'control.sock'), hostList, stepList, STEP_TIMEOUT_MS);
    // Warm-up, not measured: every agent loads its step library on its first step.
    const warm = await drive(hosts, [flags.step]);
    if (warm.some((result) => !result.ok)) throw new Error(`warm-up step failed: ${JSON.stringify(warm.filter((result) => !result.ok).slice(0, 3))}`);

    const rounds: Round[] = [];
    for (let round = 1; round <= runs; round += 1) {
      const before = { agents: await groupCpuMs(agentPids), serve: await processCpuMs(servePid), client: await waitedChildrenCpuMs(), self: await processCpuMs('self') };
      const began = performance.now();
      const results = await drive(hosts, steps);
      const wallMs = performance.now() - began;
      const after = { agents: await groupCpuMs(agentPids), serve: await processCpuMs(servePid), client: await waitedChildrenCpuMs(), self: await processCpuMs('self') };
      const coordinatorCpuMs = after.serve - before.serve;
      // cli: the kumi processes (waited for by this one); control: this process's own calls.
      const clientCpuMs = driver === 'cli' ? after.client - before.client : after.self - before.self - (after.client - before.client);
      const failures = results.filter((result) => !result.ok);
      if (results.length !== hostCount * stepCount) failures.push({ host: '*', ok: false, detail: `${results.length} results for ${hostCount * stepCount} steps` });
      rounds.push({ wallMs, agentCpuMs: after.agents - before.agents, coordinatorCpuMs, clientCpuMs, coordinatorRssMiB: (await readRss(servePid)).total, failures });
      console.error(`round ${round}/${runs}: ${(wallMs / 1000).toFixed(2)} s, agents ${((after.agents - before.agents) / (hostCount * stepCount)).toFixed(2)} ms CPU per step, ${failures.length} failures`);
    }

    const steps_ = hostCount * stepCount;
    const mid = (pick: (round: Round) => number): number => median(rounds.map(pick));
    const spread = (pick: (round: Round) => number, digits = 1): string => `${Math.min(...rounds.map(pick)).toFixed(digits)} … ${Math.max(...rounds.map(pick)).toFixed(digits)}`;
    const wallS = mid((round) => round.wallMs) / 1000;
    const agentPerStep = mid((round) => round.agentCpuMs / steps_);
    const command = driver === 'cli' ? `kumi ${kumiRunCommands(hosts, steps)[0]![0]!.join(' ').replace(hosts.join(','), `<${hosts.length} hosts>`)} (one process: every step on every host)` : 'RunStep calls on the control socket from one process';
    console.log(`Machine: ${await machine()}`);
    console.log(`${hostCount} hosts × ${stepCount} no-op steps (${flags.step}) = ${steps_} step runs per round; driven by ${command}; ${runs} rounds on one fleet after a warm-up step (medians)`);
    console.log('');
    console.log('| metric | median | min … max | target |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| wall time, all steps on all hosts | ${wallS.toFixed(2)} s | ${spread((round) => round.wallMs / 1000, 2)} | ≤ ${TARGETS.wallS} s (${wallS <= TARGETS.wallS ? 'met' : 'MISSED'}) |`);
    console.log(`| agent CPU per no-op step | ${agentPerStep.toFixed(2)} ms | ${spread((round) => round.agentCpuMs / steps_, 2)} | ≤ ${TARGETS.agentCpuMsPerStep} ms (${agentPerStep <= TARGETS.agentCpuMsPerStep ? 'met' : 'MISSED'}) |`);
    console.log(`| CPU, agents (${hostCount} processes) | ${(mid((round) => round.agentCpuMs) / 1000).toFixed(2)} s | ${spread((round) => round.agentCpuMs / 1000, 2)} | |`);
    console.log(`| CPU, coordinator (kumi serve) | ${(mid((round) => round.coordinatorCpuMs) / 1000).toFixed(2)} s | ${spread((round) => round.coordinatorCpuMs / 1000, 2)} | |`);
    console.log(`| CPU, ${driver === 'cli' ? 'kumi run processes' : 'the driving process'} | ${(mid((round) => round.clientCpuMs) / 1000).toFixed(2)} s | ${spread((round) => round.clientCpuMs / 1000, 2)} | |`);
    console.log(`| coordinator RSS after the round (peak) | ${mid((round) => round.coordinatorRssMiB).toFixed(1)} MiB (${(await peakRssMiB(servePid)).toFixed(1)}) | ${spread((round) => round.coordinatorRssMiB)} | |`);
    console.log(`| agent restarts before all attached | ${restarts} | | |`);
    console.log(`| failed step runs | ${rounds.reduce((sum, round) => sum + round.failures.length, 0)} of ${steps_ * runs} | | 0 |`);
    for (const failure of rounds.flatMap((round) => round.failures).slice(0, 5)) console.log(`  failure: ${failure.host}: ${failure.detail}`);
    const stopMs = await stopAgents([...agents.values()]);
    const slow = stopMs.filter((ms) => ms >= AGENT_STOP_LIMIT_MS).length;
    console.log(`| agent exit after SIGTERM (one at a time) | ${median(stopMs).toFixed(0)} ms | ${Math.min(...stopMs).toFixed(0)} … ${Math.max(...stopMs).toFixed(0)}${slow ? ` (${slow} not within ${AGENT_STOP_LIMIT_MS} ms)` : ''} | < 1 s |`);
    kept = false;
  } finally {
    client?.close();
    await stopChildren();
    killEverything();
    if (kept) console.error(`logs kept under ${base}`);
    else await rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(`many-hosts: ${(error as Error).message}`);
  process.exitCode = 1;
});
