import path from 'node:path';
import { execa, type Result } from 'execa';
import { anchorAlive } from './host-anchor';
import { labPaths } from './lab-paths';
import { readLabState, type HostRecord } from './lab-state';
import { inSwitchArgv } from './network';

/** The environment a root shell on a fresh Debian host has. */
export const HOST_BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  USER: 'root',
  LOGNAME: 'root',
};

/** Options for a command run inside a host. */
export interface InHostOptions {
  /** Added to the host's base environment. */
  env?: Record<string, string>;
  /** Given on stdin (use it for secrets, never argv). */
  input?: string;
  /** Killed after this long (default 30 s). */
  timeoutMs?: number;
  /** Throw when the command fails (default false: look at exitCode). */
  reject?: boolean;
}

/** The running host's record; a clear error when the lab or the host is not up. */
export function runningHost(host: string): HostRecord {
  const state = readLabState();
  if (!state) throw new Error('no lab is up: run `kumi-lab up` first');
  const record = state.hosts[host];
  if (!record) throw new Error(`no host ${host} in the lab (hosts: ${state.topology.hosts.map((h) => h.name).join(', ')})`);
  if (!anchorAlive({ pid: record.anchorPid, pidNs: record.pidNs })) {
    throw new Error(`host ${host} is down (killed?): boot it with \`kumi-lab boot ${host}\``);
  }
  return record;
}

/** argv that runs a command inside a host's namespaces, cwd /. */
export function nsenterArgv(anchorPid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(anchorPid), '-n', '-m', '-u', '-p', '--wd=/', '--', ...argv];
}

/** Runs a command inside a host, as a root shell there would. */
export async function inHost(host: string, argv: string[], opts: InHostOptions = {}): Promise<Result> {
  return spawnInHost(host, argv, opts);
}

/** inHost's process itself, for a caller that reads its output while it runs; awaiting it gives the result. */
export function spawnInHost(host: string, argv: string[], opts: InHostOptions = {}) {
  const record = runningHost(host);
  const [file, ...args] = nsenterArgv(record.anchorPid, argv);
  return execa(file as string, args, {
    env: { ...HOST_BASE_ENV, ...opts.env },
    extendEnv: false,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    timeout: opts.timeoutMs ?? 30_000,
    reject: opts.reject ?? false,
  });
}

/** The coordinator's side of the lab: 192.0.2.1 in the switch namespace, with the machine's files. */
export const COORDINATOR = 'coordinator';

/**
 * argv that runs a command on the coordinator's side: in the switch network namespace
 * (address 192.0.2.1 on the bridge) but otherwise as the machine (its files, its pid view).
 */
export function coordinatorArgv(argv: string[]): string[] {
  const sw = readLabState()?.switch;
  if (!sw) throw new Error('no lab is up: run `kumi-lab up` first');
  return inSwitchArgv(sw.pid, argv);
}

/** Runs a command on the coordinator's side of the lab (e.g. curl the VIP, run the kumi CLI). */
export async function inCoordinator(argv: string[], opts: InHostOptions & { cwd?: string } = {}): Promise<Result> {
  const [file, ...args] = coordinatorArgv(argv);
  return execa(file as string, args, {
    env: opts.env,
    cwd: opts.cwd,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    timeout: opts.timeoutMs ?? 30_000,
    reject: opts.reject ?? false,
  });
}

/** Writes a file inside a host (any path, through stdin so contents never reach argv). */
export async function writeHostFile(host: string, file: string, content: string, mode = 0o600): Promise<void> {
  const script = 'set -e; umask 077; mkdir -p "$(dirname "$1")"; cat > "$1"; chmod "$2" "$1"';
  const result = await inHost(host, ['sh', '-c', script, 'sh', file, mode.toString(8)], { input: content });
  if (result.exitCode !== 0) throw new Error(`cannot write ${file} in ${host}: ${String(result.stderr)}`);
}

/** Options for a background process started in a host. */
export interface StartInHostOptions {
  env?: Record<string, string>;
  /** Log file inside the host (default /var/log/kumi-lab/NAME.log). */
  logFile?: string;
  /** Files written in the host first (path → content, mode 0600). */
  files?: Record<string, string>;
}

const serviceTool = () => path.join(labPaths.bin(), 'kumi-lab-service');

/** Starts a long-running process (e.g. the kumi agent) in a host's background; no-op when already running. */
export async function startInHost(host: string, name: string, argv: string[], opts: StartInHostOptions = {}): Promise<void> {
  for (const [file, content] of Object.entries(opts.files ?? {})) await writeHostFile(host, file, content);
  const logArgs = opts.logFile ? ['--log', opts.logFile] : [];
  // The service inherits the environment of the helper: the host's base plus opts.env.
  const result = await inHost(host, [serviceTool(), 'start', name, ...logArgs, '--', ...argv], { env: opts.env ?? {} });
  if (result.exitCode !== 0) throw new Error(`cannot start ${name} in ${host}: ${String(result.stderr).trim()}`);
}

/** Stops a background process started with startInHost (SIGTERM, SIGKILL after 5 s); no-op when stopped. */
export async function stopInHost(host: string, name: string): Promise<void> {
  const result = await inHost(host, [serviceTool(), 'stop', name]);
  if (result.exitCode !== 0) throw new Error(`cannot stop ${name} in ${host}: ${String(result.stderr).trim()}`);
}
