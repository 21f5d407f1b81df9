import type { Command } from 'commander';
import { ExitCode } from '../cli/exit-codes';
import { addWebOptions, type RawWebOptions, webOption } from '../web/web-address';
import { clusterSelection } from './global-options';

interface ServeOptions extends RawWebOptions {
  listen?: string;
  detachGrace: string;
  answerTimeout: string;
  agentDir?: string;
}

/** `kumi serve`: runs the coordinator until SIGINT/SIGTERM. */
export function register(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the coordinator: TLS port for agents (Enroll, Attach) and the control socket for other kumi commands')
    .option('--listen <host:port>', 'TLS listen address (default: from cluster.json)')
    .option('--detach-grace <duration>', 'how long a run waits for its host to come back after a disconnect', '2m')
    .option('--answer-timeout <duration>', 'how long an attached host may send no event for a run it was sent before the run fails TIMEOUT', '30s')
    .option('--agent-dir <dir>', 'folder of kumi-agent-linux-* and SHA256SUMS offered to hosts on the TLS port + 1 (default: env KUMI_AGENT_DIR, beside kumi, or dist/)');
  addWebOptions(serve).action(async (options: ServeOptions, command: Command) => {
    const { existingClusterDir } = await import('../state/state-paths');
    const { openClusterState, readServingMaterial } = await import('../state/cluster-state');
    const { parseListenAddress } = await import('../server/listen-address');
    const { parseDuration } = await import('../cli/duration');
    const { createFileLogger } = await import('../logging/logger');
    const { startCoordinator } = await import('../server/coordinator-server');
    const { offerAgentFiles } = await import('../agent-files/offer-agent-files');

    const detachGraceMs = parseDuration(options.detachGrace, '--detach-grace');
    const answerTimeoutMs = parseDuration(options.answerTimeout, '--answer-timeout');
    const { descriptorAdvice } = await import('../server/descriptor-limit');
    const state = await openClusterState(existingClusterDir(clusterSelection(command)), { command: 'kumi serve' });
    const listen = options.listen ? parseListenAddress(options.listen) : state.config.listen;
    const material = await readServingMaterial(state.paths);
    const logger = createFileLogger(state.paths.logFile);
    const { web } = webOption(options);
    let coordinator;
    try {
      coordinator = await startCoordinator({ state, material, listen, logger, detachGraceMs, answerTimeoutMs });
    } catch (error) {
      await state.close();
      throw error;
    }
    const running = coordinator;
    const { serveLivePicture } = await import('../web/build-picture');
    // A port already in use refuses the page: stop the coordinator too, so nothing keeps running.
    const live = web ? await serveLivePicture({ dir: state.paths.dir, cluster: state.config.name, web, webExposed: options.webExposed === true }).catch((error: unknown) => running.close().then(() => Promise.reject(error))) : undefined;
    if (live) process.stdout.write(`kumi serve: live picture of the latest build at ${live.url}\n`);
    const agentFiles = await offerAgentFiles({ material, host: listen.host, tlsPort: coordinator.port, agentDir: options.agentDir, logger });
    // Every enrolled host may attach at once, and each holds a descriptor.
    const advice = descriptorAdvice((await state.hosts.list()).length);
    if (advice) {
      logger.warn({ advice }, 'open-files limit too low');
      process.stderr.write(`kumi serve: warning: ${advice}\n`);
    }
    process.stdout.write(
      `kumi serve: cluster "${state.config.name}" listening on ${listen.host}:${coordinator.port} (TLS), control socket ${coordinator.controlSocket}, logs in ${state.paths.logFile}\n` +
        `kumi serve: ${agentFiles.summary}\n`,
    );
    // Never settles: the stop ends the process.
    await new Promise<void>(() => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        logger.info({ signal }, 'stopping on signal');
        process.stdout.write(`kumi serve: ${signal}, shutting down\n`);
        // Only the state has to be on disk before the exit; the listeners, the agents'
        // HTTP/2 sessions, the agent files and the live page end with the process, all at
        // once, instead of one by one (which took most of the stop with 1,000 agents).
        running.endForExit();
        state.close().then(
          () => process.exit(process.exitCode ?? 0),
          (error: unknown) => {
            logger.error({ err: error }, 'cannot close the cluster state');
            process.stderr.write(`kumi serve: cannot close the cluster state (${(error as Error).message})\n`);
            process.exit(ExitCode.STATE);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}
