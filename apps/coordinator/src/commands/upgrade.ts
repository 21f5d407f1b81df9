import type { Command } from 'commander';
import { addRunOptions, addSelectionOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi upgrade SPEC [--to X]`: the cluster moves to the spec's kubernetes.version, one minor at a time. */
export function register(program: Command): void {
  const command = program
    .command('upgrade')
    .description(
      "run the upgrade plan (`kumi plan --for upgrade` prints it) to the spec's kubernetes.version: kubeadm upgrade plan as a gate and kubeadm upgrade apply on the first control plane, kubeadm upgrade node on the other control planes one at a time, then the workers (at most join.workerConcurrency at a time); each node drained, its kubelet and kubectl upgraded and restarted, uncordoned. One minor at a time: a bigger jump or a downgrade is refused with the path to take",
    )
    .argument('<spec>', 'cluster spec YAML file (its kubernetes.version is the target)')
    .option('--to <version>', 'the version you expect to reach; must equal the spec\'s kubernetes.version (a guard, the spec stays the source of truth)')
    .option('-y, --yes', 'confirm without asking (required when there is no terminal)');
  addSelectionOptions(addRunOptions(command)).action(async (spec: string, raw: RawUpOptions & { to?: string }, cmd: Command) => {
    const { runUpgrade } = await import('../up/run-upgrade');
    const { workflowOptions } = await import('../up/up-command-options');
    await runUpgrade({ ...workflowOptions(spec, raw, cmd), ...(raw.to ? { to: raw.to } : {}) });
  });
}
