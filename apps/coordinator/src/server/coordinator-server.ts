import { existsSync, rmSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { kumiV1 } from '@kumi/proto';
import { FileFetcher } from '../backup/file-fetcher';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import type { Logger } from '../logging/logger';
import type { ClusterState, ServingMaterial } from '../state/cluster-state';
import { AgentRegistry } from './agent-registry';
import { attachHandler } from './attach-handler';
import { controlHandlers } from './control-service';
import { type EnrollLimits, enrollHandler } from './enroll-service';
import { PeerAuthenticator } from './peer-identity';
import { tokenControlHandlers } from './token-control';
import { formatListenAddress, type ListenAddress } from './listen-address';
import { RunBroker } from './run-broker';
import { coordinatorServerCredentials } from './tls-credentials';

/** What a running coordinator exposes. */
export interface RunningCoordinator {
  /** The bound TLS port (useful when listening on port 0). */
  port: number;
  controlSocket: string;
  agents: AgentRegistry;
  broker: RunBroker;
  /** Fetches files (etcd snapshots) from attached agents. */
  files: FileFetcher;
  /** Closes both servers and every stream, and removes the control socket. */
  close(): Promise<void>;
  /**
   * For a process about to exit: ends every run for its watchers and removes the control
   * socket, and leaves the agents' streams, the listeners and the HTTP/2 sessions to the
   * exit, which closes every socket at once (agents see the connection go and reconnect
   * later; what they did not get acknowledged stays in their outbox and is sent again).
   * Ending 1,000 streams and sessions one by one first was most of `kumi serve`'s stop.
   */
  endForExit(): void;
}

/** Options of startCoordinator. */
export interface StartCoordinatorOptions {
  state: ClusterState;
  material: ServingMaterial;
  listen: ListenAddress;
  logger: Logger;
  detachGraceMs?: number;
  /** See RunBrokerOptions.answerTimeoutMs. */
  answerTimeoutMs?: number;
  helloTimeoutMs?: number;
  /** Bounds on enrollment work (tests and benchmarks tune them). */
  enrollLimits?: EnrollLimits;
}

/**
 * Options of the TLS server. Enroll comes before any authentication, so the server bounds
 * what one connection may cost: message size (an Enroll request is a few KiB; step events
 * carry bounded output), concurrent streams per connection (an agent uses one Attach
 * stream) and HTTP/2 session memory. Keepalive pings find agents that vanished without
 * closing TCP, so their runs start the bounded wait instead of hanging.
 */
const TLS_SERVER_OPTIONS = {
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_concurrent_streams': 32,
  'grpc-node.max_session_memory': 16,
} as const;

/** How long close() lets calls end by themselves before it cuts the rest. */
const SHUTDOWN_GRACE_MS = 50;

/**
 * Starts `kumi serve`: the Coordinator service on TLS (Enroll without, Attach with a
 * client certificate) and the Control service on the 0600 unix socket in the state folder.
 */
export async function startCoordinator(options: StartCoordinatorOptions): Promise<RunningCoordinator> {
  const { state, material, logger } = options;
  const store = await state.store();
  const v1 = kumiV1();
  const agents = new AgentRegistry();
  const broker = new RunBroker(agents, logger, { detachGraceMs: options.detachGraceMs, answerTimeoutMs: options.answerTimeoutMs });
  const files = new FileFetcher(agents, logger);
  const socketPath = state.paths.controlSocket;
  await clearStaleSocket(socketPath);

  const tlsServer = new Server(TLS_SERVER_OPTIONS);
  tlsServer.addService(v1.Coordinator.service, {
    Enroll: enrollHandler({ store, ca: { certPem: material.caCertPem, keyPem: material.caKeyPem }, logger }, options.enrollLimits),
    Attach: attachHandler({ peers: new PeerAuthenticator(material.caCertPem, store), agents, broker, files, logger, helloTimeoutMs: options.helloTimeoutMs }),
  });
  const controlServer = new Server();
  controlServer.addService(v1.Control.service, { ...controlHandlers({ agents, broker, logger }), ...tokenControlHandlers(store, logger) });

  const address = formatListenAddress(options.listen);
  let port: number;
  try {
    port = await bind(tlsServer, address, coordinatorServerCredentials(material));
  } catch (error) {
    broker.close();
    throw new CliError(`cannot listen on ${address}: ${(error as Error).message}; pick another address with --listen HOST:PORT`, ExitCode.FAILURE);
  }
  try {
    await bind(controlServer, `unix:${socketPath}`, ServerCredentials.createInsecure());
    await chmod(socketPath, 0o600);
  } catch (error) {
    tlsServer.forceShutdown();
    broker.close();
    throw new CliError(`cannot open the control socket ${socketPath}: ${(error as Error).message}`, ExitCode.FAILURE);
  }
  logger.info({ address, port, controlSocket: socketPath, cluster: state.config.name }, 'coordinator listening');

  let ended = false;
  /** Ends the runs and removes the control socket (once). */
  const endRuns = () => {
    if (ended) return;
    ended = true;
    broker.close();
    files.close();
    // One syscall: no trip through the thread pool on the way out.
    rmSync(socketPath, { force: true });
  };
  let closing: Promise<void> | undefined;
  return {
    port,
    controlSocket: socketPath,
    agents,
    broker,
    files,
    close() {
      closing ??= (async () => {
        endRuns();
        const streams = agents.closeAll('the coordinator is shutting down');
        logger.info({ streams }, 'attach streams closed for shutdown');
        await Promise.all([shutdown(tlsServer), shutdown(controlServer)]);
        logger.info('coordinator stopped');
      })();
      return closing;
    },
    endForExit() {
      endRuns();
      logger.info({ streams: agents.list().length }, 'runs ended; the exit closes the attach streams');
    },
  };
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

/**
 * Stops taking calls and lets the ones in flight end for a moment (their streams were
 * already closed with a status, which agents take as "reconnect later"); whatever is left
 * after SHUTDOWN_GRACE_MS is cut, so a stop never waits on a slow peer.
 */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/** Removes a socket file left by a crashed `kumi serve`; refuses when one is still listening. */
async function clearStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (alive) {
    throw new CliError(`another \`kumi serve\` is already running for this cluster (control socket ${path} answers); stop it first`, ExitCode.STATE);
  }
  await rm(path, { force: true });
}
