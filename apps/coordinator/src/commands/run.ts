import type { Command } from 'commander';
import { clusterSelection, collect } from './global-options';

interface RunOptions {
  step: string[];
  stepsFile?: string;
  host: string[];
  role?: string;
  all?: boolean;
  spec?: string;
  maxParallel?: string;
  param: string[];
  paramsJson?: string;
  secretFile: string[];
  dryRun?: boolean;
  json?: boolean;
}

/** `kumi run STEP [--step S …] (--host a,b | --role R --spec FILE | --all)`: steps on many hosts, as a plan on the one scheduler. */
export function register(program: Command): void {
  program
    .command('run')
    .description(
      'run steps on attached hosts through `kumi serve`: each step on every host (in parallel, at most --max-parallel at once) before the next step, a host whose step failed left out of the later ones; exits with the worst result (130 interrupted, 1 a step failed, 4 a host not attached, else 0)',
    )
    .argument('[step]', 'step id of the agent catalogue, e.g. sysctl.kubernetes (more with --step)')
    .option('--step <id>', 'another step, run after the ones before it (repeatable)', collect, [])
    .option('--steps-file <path>', 'a YAML or JSON list of steps to run in order, each {step: ID, params: {...}}')
    .option('--host <names>', 'hosts to run on, comma-separated (repeatable)', collect, [])
    .option('--role <role>', "every host of the spec with this role (worker, control-plane, loadbalancer); needs --spec: kumi serve does not know roles")
    .option('--spec <file>', 'the cluster spec that --role reads the hosts\' roles from')
    .option('--all', 'every agent attached to kumi serve now')
    .option('--max-parallel <n>', 'at most this many hosts work at once (default 50)')
    .option('--param <key=value>', 'a step parameter; the value is read as JSON when it parses, else as text (repeatable; one step only)', collect, [])
    .option('--params-json <json>', 'all parameters as one JSON object (one step only; --param values override it)')
    .option('--secret-file <name=path>', 'a secret parameter read from a file (repeatable); never pass secrets in argv', collect, [])
    .option('--dry-run', 'plan only: each host says what it would do (PLANNED) or that nothing is needed (NOOP); nothing changes')
    .option('--json', 'print progress as NDJSON events (host, stage, step, kind, seq, text)')
    .action(async (step: string | undefined, options: RunOptions, command: Command) => {
      const { buildParams, readSecretFiles } = await import('../cli/step-params');
      const { hostTarget } = await import('../client/host-targets');
      const { DEFAULT_MAX_PARALLEL, runSteps } = await import('../client/run-steps');
      const { existingClusterDir, statePaths } = await import('../state/state-paths');
      const { usageError } = await import('../cli/cli-error');

      const named = [...(step ? [step] : []), ...options.step];
      const hasParams = options.param.length > 0 || options.paramsJson !== undefined;
      if (hasParams && (named.length !== 1 || options.stepsFile)) throw usageError('--param and --params-json go with exactly one step; give several steps their parameters in --steps-file');
      const steps = [...named.map((id) => ({ step: id, params: hasParams ? buildParams(options.paramsJson, options.param) : {} })), ...(options.stepsFile ? await (await import('../client/steps-file')).readStepsFile(options.stepsFile) : [])];
      if (steps.length === 0) throw usageError('no step to run: name one (kumi run swap.off --host a), add --step, or pass --steps-file');
      const maxParallel = options.maxParallel === undefined ? DEFAULT_MAX_PARALLEL : Number(options.maxParallel);
      if (!Number.isInteger(maxParallel) || maxParallel < 1) throw usageError(`--max-parallel ${options.maxParallel}: use a whole number of hosts, 1 or more`);
      const target = hostTarget(options);
      const secrets = await readSecretFiles(options.secretFile);
      const clusterDir = existingClusterDir(clusterSelection(command));
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await runSteps({
          clusterDir,
          socketPath: statePaths(clusterDir).controlSocket,
          steps,
          target,
          secrets,
          dryRun: options.dryRun === true,
          json: options.json === true,
          maxParallel,
          signal: interrupt.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
