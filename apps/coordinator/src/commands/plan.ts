import type { Command } from 'commander';
import { collect } from './global-options';

/** `kumi plan SPEC`: the stages, hosts and steps `kumi up` would run, printed, nothing run. */
export function register(program: Command): void {
  program
    .command('plan')
    .description('print the ordered stages, hosts and steps `kumi up` would run for a cluster spec (runs nothing)')
    .argument('<spec>', 'cluster spec YAML file (apiVersion kumi.dev/v1alpha1, kind Cluster)')
    .option('--only <path>', 'keep only entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--skip <path>', 'leave out entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--params', "also print each entry's step parameters")
    .option('--json', 'print the plan as JSON')
    .action(async (specPath: string, options: { only: string[]; skip: string[]; params?: boolean; json?: boolean }) => {
      const { loadSpecForCli } = await import('../spec/load-for-cli');
      const { buildPlan, formatPlan, SelectionError } = await import('../plan');
      const { usageError } = await import('../cli/cli-error');
      const { spec } = await loadSpecForCli(specPath);
      let plan;
      try {
        plan = buildPlan(spec, { only: options.only, skip: options.skip });
      } catch (error) {
        if (error instanceof SelectionError) throw usageError(error.message);
        throw error;
      }
      process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, { params: options.params === true }));
    });
}
