import type { Command } from 'commander';
import { collect } from './global-options';

interface PlanOptions {
  for: string;
  only: string[];
  skip: string[];
  host?: string;
  params?: boolean;
  json?: boolean;
}

/** `kumi plan SPEC [--for up|reset]`: a workflow's plan, printed, nothing run. */
export function register(program: Command): void {
  program
    .command('plan')
    .description('print the ordered stages, hosts and steps a workflow would run for a cluster spec (runs nothing): `kumi up` by default, `--for reset` for `kumi reset`')
    .argument('<spec>', 'cluster spec YAML file (apiVersion kumi.dev/v1alpha1, kind Cluster)')
    .option('--for <workflow>', 'the workflow whose plan to print: up or reset', 'up')
    .option('--only <path>', 'keep only entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--skip <path>', 'leave out entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--host <name>', 'with --for reset: only this host, as `kumi reset --host` does')
    .option('--params', "also print each entry's step parameters")
    .option('--json', 'print the plan as JSON')
    .action(async (specPath: string, options: PlanOptions) => {
      const { loadSpecForCli } = await import('../spec/load-for-cli');
      const { buildPlan, buildResetPlan, formatPlan, SelectionError } = await import('../plan');
      const { usageError } = await import('../cli/cli-error');
      if (options.for !== 'up' && options.for !== 'reset') {
        throw usageError(`--for ${options.for}: no such workflow; use up or reset (\`kumi run --dry-run\` shows a run's plan)`);
      }
      if (options.host !== undefined && options.for !== 'reset') throw usageError('--host narrows only the reset plan: use --only STAGE/STEP@HOST for up');
      const { spec } = await loadSpecForCli(specPath);
      let plan;
      try {
        plan =
          options.for === 'reset'
            ? buildResetPlan(spec, { ...(options.host ? { host: options.host } : {}), only: options.only, skip: options.skip })
            : buildPlan(spec, { only: options.only, skip: options.skip });
      } catch (error) {
        if (error instanceof SelectionError) throw usageError(error.message);
        throw error;
      }
      process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, { params: options.params === true }));
    });
}
