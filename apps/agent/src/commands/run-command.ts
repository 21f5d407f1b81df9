import os from 'node:os';
import { Command } from 'commander';
import { isValidHostName } from '@kumi/trust/host-name';
import { loadAgentConfig } from '../config/agent-config-loader';
import { ConfigError } from '../config/config-error';
import { DEFAULT_CONFIG_PATH } from '../config/config-path';
import { readTokenSource } from '../config/read-token';
import { createLogger, routeProcessWarnings } from '../log';
import { runAgent } from '../session/agent-daemon';
import { AGENT_VERSION } from '../version';

interface RunOptions {
  config?: string;
  coordinator?: string;
  caPin?: string;
  tokenFile?: string;
  hostName?: string;
  stateDir?: string;
  root?: string;
}

/** `kumi-agent run`: the foreground daemon (systemd runs it; logs go to stdout). */
export function runCommand(): Command {
  return new Command('run')
    .description('enroll if needed, attach to the coordinator and run the steps it sends (foreground)')
    .option('--config <file>', `agent configuration file (default ${DEFAULT_CONFIG_PATH})`)
    .option('--coordinator <host:port>', 'coordinator address, e.g. 192.0.2.10:7443')
    .option('--ca-pin <pin>', 'cluster CA pin, sha256:<hex> as printed by `kumi init`')
    .option('--token-file <file>', 'read the bootstrap token from this file, or "-" for standard input')
    .option('--host-name <name>', 'host name to enroll as (default: this machine\'s host name)')
    .option('--state-dir <dir>', 'where the certificate, key and outbox live (default /var/lib/kumi)')
    .option('--root <dir>', 'folder that step paths are resolved under (default /)')
    .action(async (options: RunOptions) => {
      const logger = createLogger();
      routeProcessWarnings(logger);
      try {
        const token = options.tokenFile === undefined ? undefined : await readTokenSource(options.tokenFile);
        const { config, warnings } = await loadAgentConfig({ ...options, token });
        for (const warning of warnings) logger.warn(warning);
        const hostName = config.hostName ?? os.hostname().toLowerCase();
        if (!isValidHostName(hostName)) {
          throw new ConfigError(`this machine's host name "${hostName}" is not a lowercase DNS name: set hostName in the config file or pass --host-name NAME`);
        }
        logger.info({ version: AGENT_VERSION, hostName, coordinator: config.coordinator, stateDir: config.stateDir, root: config.root }, 'kumi-agent starting');
        const stop = new AbortController();
        const onSignal = (name: string) => (): void => {
          logger.info({ signal: name }, 'stopping');
          stop.abort();
        };
        process.once('SIGTERM', onSignal('SIGTERM'));
        process.once('SIGINT', onSignal('SIGINT'));
        await runAgent(config, hostName, logger, stop.signal);
        logger.info('kumi-agent stopped');
        // Stopped by a signal, with the outbox flushed and closed: a step command that did
        // not end within the stop grace (it was sent SIGTERM when the step was cancelled)
        // must not hold the process; its run stays in hand and the next start reports it.
        if (stop.signal.aborted) process.exit();
      } catch (error) {
        const message = (error as Error).message;
        logger.fatal({ error: message }, 'kumi-agent cannot run');
        process.stderr.write(`kumi-agent: ${message}\n`);
        process.exitCode = error instanceof ConfigError ? 2 : 1;
      }
    });
}
