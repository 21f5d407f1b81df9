import { randomUUID } from 'node:crypto';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { CLEANUP_GRACE_MS } from '../plan';
import { Journal } from '../journal/journal';
import { ClusterLock, LockHeldError } from '../journal/lock';
import { SecretRegistry } from '../journal/secret-registry';
import { createFileLogger, type Logger } from '../logging/logger';
import { chooseView } from '../progress/choose-view';
import { ProgressSink } from '../progress/progress-sink';
import { offerAgentFiles, type OfferedAgentFiles } from '../agent-files/offer-agent-files';
import { type RunningCoordinator, startCoordinator } from '../server/coordinator-server';
import type { ListenAddress } from '../server/listen-address';
import { type ClusterState, openClusterState, readServingMaterial } from '../state/cluster-state';
import type { ClusterSelection } from '../state/state-paths';
import type { ConfirmIo } from './confirm';

/** Options of openSession. */
export interface SessionOptions {
  dir: string;
  /** What holds the lock, e.g. "kumi up seed-ha.yaml" (shown to a second kumi). */
  command: string;
  listen?: ListenAddress;
  detachGraceMs: number;
  json: boolean;
  /** Where progress goes (default stdout). */
  out?: NodeJS.WriteStream;
}

/** The options every spec-driven command (up, verify, drill, reset) carries for its session. */
export type CommandSessionOptions = Pick<SessionOptions, 'listen' | 'detachGraceMs' | 'json' | 'out'>;

/** What every spec-driven workflow command (up, reset, remove, upgrade) takes: the spec, the plan's narrowing, the confirmation, the cluster and the session. */
export interface WorkflowCommandOptions extends CommandSessionOptions {
  specPath: string;
  only?: string[];
  skip?: string[];
  yes: boolean;
  selection: ClusterSelection;
  attachTimeoutMs: number;
  confirmIo?: ConfirmIo;
}

/** Session options for `command` from a command's own options. */
export function sessionOptionsFor(dir: string, command: string, options: CommandSessionOptions): SessionOptions {
  return {
    dir,
    command,
    ...(options.listen ? { listen: options.listen } : {}),
    detachGraceMs: options.detachGraceMs,
    json: options.json,
    ...(options.out ? { out: options.out } : {}),
  };
}

/** Everything a spec-driven command holds while it drives the agents. */
export interface Session {
  run: string;
  state: ClusterState;
  secrets: SecretRegistry;
  journal: Journal;
  logger: Logger;
  coordinator: RunningCoordinator;
  listen: ListenAddress;
  progress: ProgressSink;
  /** Ctrl-C / SIGTERM abort this. */
  signal: AbortSignal;
  /** Stops the coordinator, closes the view and releases the lock; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the cluster for a run: takes the cluster lock (a second coordinator is refused
 * with who holds it), starts the coordinator in this process on the cluster's listen
 * address and control socket (so `kumi agents` and `kumi status` work meanwhile), and
 * prepares the journal and the progress view. SIGINT/SIGTERM abort the session's signal.
 */
export async function openSession(options: SessionOptions): Promise<Session> {
  const state = await openClusterState(options.dir);
  const lock = new ClusterLock(state.paths.dir);
  try {
    lock.acquire(options.command);
  } catch (error) {
    if (error instanceof LockHeldError) throw new CliError(error.message, ExitCode.STATE);
    throw error;
  }
  const interrupt = new AbortController();
  const onSignal = () => {
    if (!interrupt.signal.aborted) {
      interrupt.abort(new Error('interrupted'));
      process.stderr.write(`kumi: stopping (the agents are asked to cancel their steps; cleanup steps such as a join token's delete still run, ${CLEANUP_GRACE_MS / 1000} s at most); press Ctrl-C again to quit at once\n`);
      return;
    }
    // A second signal: leave now. The journal is consistent after every line.
    lock.release();
    process.exit(ExitCode.INTERRUPTED);
  };
  let coordinator: RunningCoordinator | undefined;
  let agentFiles: OfferedAgentFiles | undefined;
  let progress: ProgressSink | undefined;
  const release = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress?.close();
    await Promise.all([coordinator?.close(), agentFiles?.close()]);
    lock.release();
  };
  try {
    const run = randomUUID();
    const logger = createFileLogger(state.paths.logFile).child({ run });
    const secrets = new SecretRegistry();
    const journal = new Journal(state.paths.dir, secrets);
    const listen = options.listen ?? state.config.listen;
    const material = await readServingMaterial(state.paths);
    coordinator = await startCoordinator({ state, material, listen, logger, detachGraceMs: options.detachGraceMs });
    // Hosts booting from `kumi cloud-init` user-data download kumi-agent from here (port + 1; see the log).
    agentFiles = await offerAgentFiles({ material, host: listen.host, tlsPort: coordinator.port, logger });
    progress = new ProgressSink(chooseView({ json: options.json, out: options.out }), secrets, logger);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let closing: Promise<void> | undefined;
    const running = coordinator;
    return {
      run,
      state,
      secrets,
      journal,
      logger,
      coordinator: running,
      listen: { host: listen.host, port: running.port },
      progress,
      signal: interrupt.signal,
      close: () => (closing ??= release()),
    };
  } catch (error) {
    await release();
    throw error;
  }
}
