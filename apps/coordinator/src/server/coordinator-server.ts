import { existsSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { kumiV1 } from '@kumi/proto';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import type { Logger } from '../logging/logger';
import type { ClusterState, ServingMaterial } from '../state/cluster-state';
import { AgentRegistry } from './agent-registry';
import { attachHandler } from './attach-handler';
import { controlHandlers } from './control-service';
import { enrollHandler } from './enroll-service';
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
  /** Closes both servers and every stream, and removes the control socket. */
  close(): Promise<void>;
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
}

/**
 * Starts `kumi serve`: the Coordinator service on TLS (Enroll without, Attach with a
 * client certificate) and the Control service on the 0600 unix socket in the state folder.
 */
export async function startCoordinator(options: StartCoordinatorOptions): Promise<RunningCoordinator> {
  const { state, material, logger } = options;
  const v1 = kumiV1();
  const agents = new AgentRegistry();
  const broker = new RunBroker(agents, logger, { detachGraceMs: options.detachGraceMs, answerTimeoutMs: options.answerTimeoutMs });
  const socketPath = state.paths.controlSocket;
  await clearStaleSocket(socketPath);

  // Keepalive pings find agents that vanished without closing TCP, so their runs start
  // the bounded wait instead of hanging.
  const tlsServer = new Server({ 'grpc.keepalive_time_ms': 60_000, 'grpc.keepalive_timeout_ms': 20_000 });
  tlsServer.addService(v1.Coordinator.service, {
    Enroll: enrollHandler({ tokens: state.tokens, hosts: state.hosts, ca: { certPem: material.caCertPem, keyPem: material.caKeyPem }, logger }),
    Attach: attachHandler({ caCertPem: material.caCertPem, hosts: state.hosts, agents, broker, logger, helloTimeoutMs: options.helloTimeoutMs }),
  });
  const controlServer = new Server();
  controlServer.addService(v1.Control.service, controlHandlers({ agents, broker, logger }));

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

  let closing: Promise<void> | undefined;
  return {
    port,
    controlSocket: socketPath,
    agents,
    broker,
    close() {
      closing ??= (async () => {
        broker.close();
        agents.closeAll('the coordinator is shutting down');
        await Promise.all([shutdown(tlsServer), shutdown(controlServer)]);
        await rm(socketPath, { force: true });
        logger.info('coordinator stopped');
      })();
      return closing;
    },
  };
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

/** Graceful shutdown, forced after 2 s so a stuck stream cannot hold the process. */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2_000);
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
