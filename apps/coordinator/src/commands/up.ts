import type { Command } from 'commander';
import { addRunOptions, addSelectionOptions, type RawUpOptions } from '../up/up-command-options';
import { addWebOptions, type RawWebOptions, webOption } from '../web/web-address';

/** `kumi up SPEC`: builds the whole cluster through the agents, resuming what is done. */
export function register(program: Command): void {
  const command = program
    .command('up')
    .description(
      'build the cluster of a spec through its agents: runs the plan (see `kumi plan`) with brokered join secrets, journals every step and resumes after any crash; starts the coordinator in this process (stop `kumi serve` first)',
    )
    .argument('<spec>', 'cluster spec YAML file (apiVersion kumi.dev/v1alpha1, kind Cluster)')
    .option('-y, --yes', 'do not ask for confirmation on a terminal')
    .option('--prune', 'after the build, remove the hosts that joined the cluster but are no longer in the spec (as `kumi remove` does); without it they are only named');
  addWebOptions(addRunOptions(addSelectionOptions(command))).action(async (spec: string, raw: RawUpOptions & RawWebOptions & { prune?: boolean }, cmd: Command) => {
    const { runUp } = await import('../up/run-up');
    const { upOptions } = await import('../up/up-command-options');
    await runUp({ ...upOptions('up', spec, raw, cmd), ...webOption(raw), prune: raw.prune === true });
  });
}
