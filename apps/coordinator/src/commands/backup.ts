import type { Command } from 'commander';
import { DEFAULT_KEEP } from '../backup/default-keep';
import { addRunOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi backup SPEC [--host CP] [--out DIR] [--keep N]`: an etcd snapshot, fetched to the coordinator; older ones pruned to N. */
export function register(program: Command): void {
  const command = program
    .command('backup')
    .description(
      'run the backup plan (`kumi plan --for backup`): etcdctl snapshot save on one healthy control plane\'s etcd member, checked with snapshot status, then fetched into the cluster state folder\'s backups/ (or --out) as a 0600 file with a .sha256 beside it; restore: docs/backup-restore.md',
    )
    .argument('<spec>', 'cluster spec YAML file')
    .option('--host <name>', 'the control plane whose etcd member takes the snapshot (default: the first of the spec)')
    .option('--out <dir>', 'where to put the snapshot (default: backups/ in the cluster state folder)')
    .option(
      '--keep <n>',
      `how many snapshots of this cluster to leave in that folder, the new one included: once the new one is verified, older ones kumi backup made (etcd-CLUSTER-TIME.db and its .sha256; nothing else) are deleted, oldest first; 0 keeps all (default ${DEFAULT_KEEP})`,
    );
  addRunOptions(command).action(async (spec: string, raw: RawUpOptions & { host?: string; out?: string; keep?: string }, cmd: Command) => {
    const { runBackup, parseKeep } = await import('../up/run-backup');
    const { workflowOptions } = await import('../up/up-command-options');
    const keep = parseKeep(raw.keep);
    await runBackup({ ...workflowOptions(spec, raw, cmd), ...(raw.host ? { host: raw.host } : {}), ...(raw.out ? { outDir: raw.out } : {}), keep });
  });
}
