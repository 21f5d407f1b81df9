import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runNode, startNode, waitFor, type Started } from './processes';

/** The two bundles the suite runs as separate OS processes. */
export interface Bundles {
  kumi: string;
  agent: string;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; we release it at once). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

/** What an agent process is started with. */
export interface AgentOptions {
  hostName: string;
  /** Bootstrap token, handed over in a 0600 file (never argv). */
  token?: string;
  /** Overrides the cluster's pin (for the wrong-pin case). */
  caPin?: string;
  /** Defaults to <base>/agents/<hostName>/state. */
  stateDir?: string;
  /** Log file name under <base>/logs; defaults to agent-<hostName>.log. */
  logName?: string;
  /** The agent's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** A cluster state folder, its `kumi serve` process and agents, all under one temp folder. */
export class TestCluster {
  readonly stateDir: string;
  readonly logDir: string;
  caPin = '';
  port = 0;
  serve: Started | undefined;

  constructor(
    readonly base: string,
    readonly bundles: Bundles,
  ) {
    this.stateDir = join(base, 'cluster');
    this.logDir = join(base, 'logs');
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `kumi --state-dir <cluster> ARGS`, to completion. */
  kumi(args: string[], logName = 'kumi-cli.log'): Promise<{ code: number | null; output: string }> {
    return runNode(this.bundles.kumi, ['--state-dir', this.stateDir, ...args], join(this.logDir, logName));
  }

  /** `kumi init` on a free loopback port; remembers the CA pin it printed. */
  async init(): Promise<void> {
    await mkdir(this.logDir, { recursive: true });
    this.port = await freeLoopbackPort();
    const result = await this.kumi(['init', '--name', 'itest', '--port', String(this.port), '--listen-host', '127.0.0.1']);
    if (result.code !== 0) throw new Error(`kumi init failed:\n${result.output}`);
    const pin = /CA pin:\s+(sha256:[0-9a-f]{64})/.exec(result.output)?.[1];
    if (!pin) throw new Error(`kumi init printed no CA pin:\n${result.output}`);
    this.caPin = pin;
  }

  /** `kumi token create`; returns the token it printed (that output goes to its own log). */
  async createToken(options: { host?: string; ttl?: string } = {}): Promise<string> {
    const args = ['token', 'create', ...(options.host ? ['--host', options.host] : []), ...(options.ttl ? ['--ttl', options.ttl] : [])];
    const result = await this.kumi(args, 'kumi-token-create.log');
    const token = /^token:\s+(\S+)$/m.exec(result.output)?.[1];
    if (result.code !== 0 || !token) throw new Error(`kumi token create failed:\n${result.output}`);
    return token;
  }

  /** Starts `kumi serve` and waits until it listens. */
  async startServe(): Promise<void> {
    this.serve = startNode(this.bundles.kumi, ['--state-dir', this.stateDir, 'serve'], join(this.logDir, 'kumi-serve.log'));
    const serve = this.serve;
    await waitFor('kumi serve to listen', () => {
      if (serve.child.exitCode !== null) throw new Error(`kumi serve exited early:\n${serve.output()}`);
      return serve.output().includes('listening on');
    });
  }

  /** Starts `kumi-agent run` for one host with its own state folder and step root. */
  async startAgent(options: AgentOptions): Promise<{ process: Started; stateDir: string; root: string }> {
    const home = join(this.base, 'agents', options.hostName);
    const stateDir = options.stateDir ?? join(home, 'state');
    const root = join(home, 'root');
    await mkdir(root, { recursive: true });
    const config = join(home, 'agent.yaml');
    await writeFile(config, '', { mode: 0o600 });
    const args = ['run', '--config', config, '--coordinator', this.address, '--ca-pin', options.caPin ?? this.caPin, '--host-name', options.hostName, '--state-dir', stateDir, '--root', root];
    if (options.token !== undefined) {
      const tokenFile = join(home, `token-${Date.now()}`);
      await writeFile(tokenFile, `${options.token}\n`, { mode: 0o600 });
      args.push('--token-file', tokenFile);
    }
    const process = startNode(this.bundles.agent, args, join(this.logDir, options.logName ?? `agent-${options.hostName}.log`), undefined, options.env);
    return { process, stateDir, root };
  }

  /** `kumi agents --json`. */
  async agents(): Promise<AgentInfoJson[]> {
    const result = await this.kumi(['agents', '--json']);
    if (result.code !== 0) throw new Error(`kumi agents failed:\n${result.output}`);
    return JSON.parse(result.output) as AgentInfoJson[];
  }
}

/** The parts of `kumi agents --json` the tests look at. */
export interface AgentInfoJson {
  hostName: string;
  agentVersion: string;
  facts: {
    hostName: string;
    os: { id: string; family: string };
    kernel: string;
    cpus: number;
    memoryBytes: number | string;
    interfaces: { name: string; addresses: string[] }[];
  };
}

/** The parts of a `kumi run --json` progress event of a step the tests look at. */
export interface EventJson {
  /** Over every event of the command run (stage and run events too): 1, 2, 3, ... */
  seq: number;
  host: string;
  step: string;
  /** The plan path `stage/step@host`: one per step run. */
  path: string;
  kind: string;
  text: string;
  error?: { code: string; message: string };
}

/** A step's own progress kinds (the run's and stages' events are left out). */
const STEP_KINDS = new Set(['START', 'OUTPUT', 'PROGRESS', 'NOOP', 'PLANNED', 'DONE', 'FAILED', 'SKIPPED']);

/** Parses the step events from `kumi run --json` output (other lines and kinds are skipped). */
export function parseEvents(output: string): EventJson[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EventJson)
    .filter((event) => STEP_KINDS.has(event.kind));
}
