import type { Command } from 'commander';
import { addRunOptions, addSelectionOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi remove HOST... SPEC`: takes nodes out of the cluster (drain, etcd, HAProxy, kubeadm reset, Node deleted). */
export function register(program: Command): void {
  const command = program
    .command('remove')
    .description(
      'take hosts out of the cluster, as the removal plan says (`kumi plan --for remove --host H SPEC` prints it): drain each (PodDisruptionBudgets respected, 5 min at most), for a control plane take it out of HAProxy and etcd (refused when etcd would lose quorum, or for the last control plane), kubeadm reset on it, then delete its Node; one host after another. Drop the hosts from the spec first. Replace a control plane: add the new one to the spec and `kumi up`, then remove the old one',
    )
    .argument('<hosts-and-spec...>', 'the hosts to remove, then the cluster spec YAML file, e.g. `kumi remove master3 cluster.yaml`')
    .option('-y, --yes', 'confirm without asking (required when there is no terminal)')
    .option(
      '--unreachable',
      'the named hosts are gone (powered off, deleted): nothing runs on them and they are not drained; the other members remove their etcd member, HAProxy backend and Node. Without it, a host whose agent does not attach within --attach-timeout is an error naming this flag',
    );
  addSelectionOptions(addRunOptions(command)).action(async (words: string[], raw: RawUpOptions & { unreachable?: boolean }, cmd: Command) => {
    const { runRemove } = await import('../up/run-remove');
    const { workflowOptions } = await import('../up/up-command-options');
    const { usageError } = await import('../cli/cli-error');
    const spec = words.at(-1);
    const hosts = words.slice(0, -1);
    if (spec === undefined || hosts.length === 0) throw usageError('kumi remove needs the hosts, then the spec: e.g. `kumi remove worker2 cluster.yaml`');
    await runRemove({ ...workflowOptions(spec, raw, cmd), hosts, unreachable: raw.unreachable === true });
  });
}
