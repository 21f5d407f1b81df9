import type { Command } from 'commander';
import { clusterSelection, collect } from './global-options';

interface RunOptions {
  host: string;
  param: string[];
  paramsJson?: string;
  secretFile: string[];
  dryRun?: boolean;
  json?: boolean;
}

/** `kumi run STEP --host H`: runs one step on one attached host and streams its events. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run one step on one attached host and stream its events (needs `kumi serve` running)')
    .argument('<step>', 'step id of the agent catalogue, e.g. sysctl.kubernetes')
    .requiredOption('--host <name>', 'the attached host to run the step on')
    .option('--param <key=value>', 'a step parameter; the value is read as JSON when it parses, else as text (repeatable)', collect, [])
    .option('--params-json <json>', 'all parameters as one JSON object (--param values override it)')
    .option('--secret-file <name=path>', 'a secret parameter read from a file (repeatable); never pass secrets in argv', collect, [])
    .option('--dry-run', 'plan only: show what would be done, change nothing')
    .option('--json', 'print events as NDJSON')
    .action(async (step: string, options: RunOptions, command: Command) => {
      const { buildParams, readSecretFiles } = await import('../cli/step-params');
      const { existingClusterDir, statePaths } = await import('../state/state-paths');
      const { runStepViaControl } = await import('../client/run-step-client');
      const { eventLines } = await import('../output/event-line');
      const { CliError } = await import('../cli/cli-error');
      const { ExitCode } = await import('../cli/exit-codes');

      const params = buildParams(options.paramsJson, options.param);
      const secrets = await readSecretFiles(options.secretFile);
      const { controlSocket } = statePaths(existingClusterDir(clusterSelection(command)));
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let result;
      try {
        result = await runStepViaControl(
          controlSocket,
          { host: options.host, step, paramsJson: JSON.stringify(params), secrets, dryRun: Boolean(options.dryRun) },
          (event) => process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : eventLines(event)),
          interrupt.signal,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      if (result.aborted) throw new CliError(`interrupted; asked host "${options.host}" to cancel the step`, ExitCode.INTERRUPTED);
      const kind = result.last?.kind;
      if (kind === 'EVENT_KIND_DONE' || kind === 'EVENT_KIND_NOOP') return;
      if (kind === 'EVENT_KIND_FAILED') {
        const code = result.last?.error?.code.replace(/^ERROR_CODE_/, '') ?? 'UNKNOWN';
        throw new CliError(`step "${step}" failed on host "${options.host}" (${code}); see the error above`, ExitCode.FAILURE);
      }
      throw new CliError('the event stream ended before the step did (no DONE, NOOP or FAILED); see the coordinator log', ExitCode.FAILURE);
    });
}
