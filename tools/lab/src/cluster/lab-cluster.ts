import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startInHost, stopInHost } from '../in-host';
import { labDown } from '../lab-down';
import { BRIDGE_ADDRESS, hostFilePath } from '../lab-paths';
import { labUp } from '../lab-up';
import type { Topology } from '../topology';
import { callKumi, type KumiCallOptions, type KumiCallResult } from './kumi-cli';
import { ensureKumiBundles, type KumiBundles } from './kumi-bundles';
import { startServe, type ServeProcess } from './serve-process';

/** Inside every host: the agent's config, state and log. */
export const AGENT_CONFIG_PATH = '/etc/kumi/agent.yaml';
export const AGENT_STATE_DIR = '/var/lib/kumi';
export const AGENT_LOG_PATH = '/var/log/kumi-lab/kumi-agent.log';
/** The service name the agent runs under in each host (kumi-lab status shows it). */
export const AGENT_SERVICE = 'kumi-agent';
/** The coordinator's TLS port in the lab. */
export const COORDINATOR_PORT = 7443;

/** Options of startLabCluster. */
export interface LabClusterOptions {
  topology: Topology;
  /** The coordinator's state folder, outside every host (e.g. /var/tmp/kumi-lab-cluster-X); must not hold a cluster yet. */
  stateDir: string;
  /** Cluster name for `kumi init` (default "lab"). */
  clusterName?: string;
  /** Run `kumi serve` in the switch namespace and wait for every agent (default true). `kumi up` runs its own server: pass false. */
  serve?: boolean;
  /** Bound of the wait for every agent to attach (default 90 s). */
  attachTimeoutMs?: number;
  /** Remove stateDir in stop() (default true); a folder that existed before the start is never removed. */
  removeStateDir?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Wall-clock times of the start, in ms. */
export interface LabClusterTimings {
  bundleMs: number;
  labUpMs: number;
  /** From the first agent start to every agent listed by `kumi agents` (0 without serve). */
  attachMs: number;
}

/** One attached agent as `kumi agents --json` lists it (the fields the lab uses). */
export interface ListedAgent {
  hostName: string;
  agentVersion: string;
  peerAddress: string;
  busyRunId: string;
  facts: Record<string, unknown>;
}

/** A running lab with a coordinator state folder and a kumi agent in every host. */
export interface LabCluster {
  topology: Topology;
  stateDir: string;
  bundles: KumiBundles;
  timings: LabClusterTimings;
  /** Runs the kumi CLI on this cluster (opts.inSwitch: at 192.0.2.1, for serve/up). */
  kumi(args: string[], opts?: KumiCallOptions): Promise<KumiCallResult>;
  /** `kumi agents --json`; [] while no server answers. */
  agents(): Promise<ListedAgent[]>;
  /** Waits (bounded) until `kumi agents` lists every given host (default: all); resolves to the ms waited. */
  waitForAgents(hosts?: string[], timeoutMs?: number): Promise<number>;
  /** Starts `kumi serve` at 192.0.2.1 (no-op when running). */
  startServe(): Promise<void>;
  /** Stops `kumi serve` (no-op when stopped). */
  stopServe(): Promise<void>;
  /** Starts a host's agent (first time: mints a host-bound token and writes its agent.yaml, 0600). */
  startAgent(host: string): Promise<void>;
  stopAgent(host: string): Promise<void>;
  /** The agent's log of a host, read from outside (the host's /var/log upper layer). */
  agentLog(host: string): string;
  /** The `kumi serve` log ('' when never started). */
  serveLog(): string;
  /** Stops the server, the agents and the whole lab; removes the state folder it created unless told not to. Safe to call twice. */
  stop(): Promise<void>;
}

/** Text of the agent.yaml block `kumi token create` prints after the token (from "coordinator:" on). */
function agentConfigFromTokenOutput(stdout: string, host: string): string {
  const at = stdout.indexOf('coordinator:');
  if (at < 0) throw new Error(`kumi token create --host ${host} printed no agent configuration`);
  return stdout.slice(at);
}

/**
 * Builds the lab of `topology` and a kumi cluster on it: bundles kumi and kumi-agent (cached),
 * `kumi init --address 192.0.2.1`, the lab hosts, `kumi serve` in the switch namespace, and a
 * real agent in every host (its own /etc/kumi/agent.yaml with a host-bound single-use token,
 * state /var/lib/kumi, root "/" = the host's own overlay). Resolves once every agent is
 * attached. On any failure everything started is stopped and the lab is brought down.
 */
export async function startLabCluster(opts: LabClusterOptions): Promise<LabCluster> {
  const log = opts.log ?? (() => {});
  const stateDir = path.resolve(opts.stateDir);
  // Checked before anything can fail and clean up: that cleanup must never touch a cluster it did not make.
  if (existsSync(path.join(stateDir, 'cluster.json'))) {
    throw new Error(`${stateDir} already holds a kumi cluster: give startLabCluster a fresh stateDir (or remove it)`);
  }
  const createdStateDir = !existsSync(stateDir);
  const hosts = opts.topology.hosts.map((h) => h.name);
  const timings: LabClusterTimings = { bundleMs: 0, labUpMs: 0, attachMs: 0 };
  let serve: ServeProcess | undefined;
  let labStarted = false;
  let stopped = false;
  const configured = new Set<string>();

  let started = Date.now();
  const bundles = await ensureKumiBundles();
  timings.bundleMs = Date.now() - started;
  log(`kumi and kumi-agent bundles ${bundles.rebuilt ? 'built' : 'cached'} (${timings.bundleMs} ms)`);

  const kumi = (args: string[], callOpts?: KumiCallOptions) => callKumi(bundles.kumi, stateDir, args, callOpts);
  const mustKumi = async (args: string[], callOpts?: KumiCallOptions): Promise<KumiCallResult> => {
    const result = await kumi(args, callOpts);
    if (result.exitCode !== 0) throw new Error(`kumi ${args[0]} ${args[1] ?? ''} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
    return result;
  };

  let tokenTurn: Promise<unknown> = Promise.resolve();
  const cluster: LabCluster = {
    topology: opts.topology,
    stateDir,
    bundles,
    timings,
    kumi,
    async agents() {
      const result = await kumi(['agents', '--json'], { timeoutMs: 20_000 });
      if (result.exitCode !== 0) return [];
      return JSON.parse(result.stdout) as ListedAgent[];
    },
    async waitForAgents(wanted = hosts, timeoutMs = opts.attachTimeoutMs ?? 90_000) {
      const begin = Date.now();
      let missing = wanted;
      while (Date.now() - begin < timeoutMs) {
        const listed = new Set((await cluster.agents()).map((a) => a.hostName));
        missing = wanted.filter((h) => !listed.has(h));
        if (missing.length === 0) return Date.now() - begin;
        await sleep(250);
      }
      throw new Error(`agents not attached after ${timeoutMs} ms: ${missing.join(', ')} (see their logs: ${missing.map((h) => hostFilePath(h, AGENT_LOG_PATH)).join(' ')})`);
    },
    async startServe() {
      if (serve) return;
      serve = await startServe(bundles.kumi, stateDir, path.join(stateDir, 'serve.log'));
      log(`kumi serve at ${BRIDGE_ADDRESS}:${COORDINATOR_PORT} (pid ${serve.pid})`);
    },
    async stopServe() {
      const running = serve;
      serve = undefined;
      await running?.stop();
    },
    async startAgent(host) {
      const files: Record<string, string> = {};
      if (!configured.has(host)) {
        // One kumi process owns the state folder at a time (a second one exits 3): mint in turn.
        const minting = tokenTurn.then(() => mustKumi(['token', 'create', '--host', host, '--ttl', '30m']));
        tokenTurn = minting.catch(() => undefined);
        const token = await minting;
        files[AGENT_CONFIG_PATH] = agentConfigFromTokenOutput(token.stdout, host);
        configured.add(host);
      }
      const argv = [process.execPath, '--enable-source-maps', bundles.agent, 'run', '--config', AGENT_CONFIG_PATH, '--state-dir', AGENT_STATE_DIR, '--root', '/'];
      await startInHost(host, AGENT_SERVICE, argv, { files, logFile: AGENT_LOG_PATH });
    },
    async stopAgent(host) {
      await stopInHost(host, AGENT_SERVICE);
    },
    agentLog(host) {
      const file = hostFilePath(host, AGENT_LOG_PATH);
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    serveLog() {
      const file = path.join(stateDir, 'serve.log');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const problems: string[] = [];
      await cluster.stopServe().catch((e: Error) => problems.push(`kumi serve: ${e.message}`));
      // labDown kills every process of the hosts (agents included) and of the switch namespace.
      if (labStarted) await labDown({ log }).catch((e: Error) => problems.push(`lab down: ${e.message}`));
      if ((opts.removeStateDir ?? true) && createdStateDir) rmSync(stateDir, { recursive: true, force: true });
      if (problems.length > 0) throw new Error(`stopping the lab cluster: ${problems.join('; ')}`);
    },
  };

  try {
    mkdirSync(path.dirname(stateDir), { recursive: true });
    await mustKumi(['init', '--name', opts.clusterName ?? 'lab', '--address', BRIDGE_ADDRESS, '--port', String(COORDINATOR_PORT), '--listen-host', BRIDGE_ADDRESS]);
    log(`kumi init: state folder ${stateDir}`);
    started = Date.now();
    // labUp tears down its own failures; a refused labUp ("already up") must leave the other lab alone.
    const up = await labUp({ topology: opts.topology, log });
    labStarted = true;
    timings.labUpMs = up.ms;
    log(`lab up (${hosts.length} hosts) in ${up.ms} ms`);
    if (opts.serve ?? true) await cluster.startServe();
    started = Date.now();
    await Promise.all(hosts.map((host) => cluster.startAgent(host)));
    if (opts.serve ?? true) {
      await cluster.waitForAgents();
      timings.attachMs = Date.now() - started;
      log(`every agent attached (${timings.attachMs} ms after the agents started)`);
    }
    return cluster;
  } catch (error) {
    await cluster.stop().catch((e: Error) => log(`cleanup after a failed start: ${e.message}`));
    throw error;
  }
}
