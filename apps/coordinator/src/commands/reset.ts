import type { Command } from 'commander';
import { addRunOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi reset SPEC [--host H]`: kubeadm reset on every node and load balancers taken down, or one host. */
export function register(program: Command): void {
  const command = program
    .command('reset')
    .description(
      'run kubeadm.reset on every node of a spec (workers first, then control planes one at a time), then stop HAProxy and keepalived on the load balancers and remove their kumi configuration; or one host with --host. The next `kumi up` starts over for them',
    )
    .argument('<spec>', 'cluster spec YAML file')
    .option('--host <name>', 'reset only this control plane, worker or load balancer')
    .option('-y, --yes', 'confirm without asking (required when there is no terminal)');
  addRunOptions(command).action(async (spec: string, raw: RawUpOptions & { host?: string }, cmd: Command) => {
    const { runReset } = await import('../up/run-reset');
    const { upOptions } = await import('../up/up-command-options');
    const common = upOptions('up', spec, raw, cmd);
    await runReset({
      specPath: spec,
      ...(raw.host ? { host: raw.host } : {}),
      yes: common.yes,
      json: common.json,
      selection: common.selection,
      ...(common.listen ? { listen: common.listen } : {}),
      attachTimeoutMs: common.attachTimeoutMs,
      detachGraceMs: common.detachGraceMs,
    });
  });
}
