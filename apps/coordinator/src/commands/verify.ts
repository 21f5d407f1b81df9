import type { Command } from 'commander';
import { addRunOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi verify SPEC`: runs just the verify stage of the plan. */
export function register(program: Command): void {
  const command = program
    .command('verify')
    .description('check the cluster of a spec: nodes Ready, control-plane pods, DNS, the API through the VIP, etcd health (runs the plan\'s verify stage only)')
    .argument('<spec>', 'cluster spec YAML file');
  addRunOptions(command).action(async (spec: string, raw: RawUpOptions, cmd: Command) => {
    const { runUp } = await import('../up/run-up');
    const { upOptions } = await import('../up/up-command-options');
    await runUp(upOptions('verify', spec, { ...raw, yes: true }, cmd));
  });
}
