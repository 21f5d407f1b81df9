import type { Command } from 'commander';
import { addRunOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi drill SPEC`: runs just the failover drill stage of the plan. */
export function register(program: Command): void {
  const command = program
    .command('drill')
    .description('failover drill: take a control plane down (spec.drill) and prove the API through the VIP and DNS still answer (runs the plan\'s drill stage only)')
    .argument('<spec>', 'cluster spec YAML file')
    .option('-y, --yes', 'do not ask for confirmation on a terminal');
  addRunOptions(command).action(async (spec: string, raw: RawUpOptions, cmd: Command) => {
    const { runUp } = await import('../up/run-up');
    const { upOptions } = await import('../up/up-command-options');
    await runUp(upOptions('drill', spec, raw, cmd));
  });
}
