import type { Command } from 'commander';
import { addRunOptions, addSelectionOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi reset SPEC [--host H]`: kubeadm reset on every node and load balancers taken down, or one host. */
export function register(program: Command): void {
  const command = program
    .command('reset')
    .description(
      'run the reset plan (`kumi plan --for reset` prints it): kubeadm.reset on the workers (at most join.workerConcurrency at a time), then the control planes one at a time in reverse order, then HAProxy and keepalived stopped on the load balancers and their kumi configuration removed; or one host with --host. The next `kumi up` starts over for the hosts reset',
    )
    .argument('<spec>', 'cluster spec YAML file')
    .option('--host <name>', 'reset only this control plane, worker or load balancer')
    .option('-y, --yes', 'confirm without asking (required when there is no terminal)');
  addSelectionOptions(addRunOptions(command)).action(async (spec: string, raw: RawUpOptions & { host?: string }, cmd: Command) => {
    const { runReset } = await import('../up/run-reset');
    const { workflowOptions } = await import('../up/up-command-options');
    await runReset({ ...workflowOptions(spec, raw, cmd), ...(raw.host ? { host: raw.host } : {}) });
  });
}
