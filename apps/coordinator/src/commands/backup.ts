import type { Command } from 'commander';
import { addRunOptions, type RawUpOptions } from '../up/up-command-options';

/** `kumi backup SPEC [--host CP] [--out DIR]`: an etcd snapshot, fetched to the coordinator. */
export function register(program: Command): void {
  const command = program
    .command('backup')
    .description(
      'run the backup plan (`kumi plan --for backup`): etcdctl snapshot save on one healthy control plane\'s etcd member, checked with snapshot status, then fetched into the cluster state folder\'s backups/ (or --out) as a 0600 file with a .sha256 beside it; restore: docs/backup-restore.md',
    )
    .argument('<spec>', 'cluster spec YAML file')
    .option('--host <name>', 'the control plane whose etcd member takes the snapshot (default: the first of the spec)')
    .option('--out <dir>', 'where to put the snapshot (default: backups/ in the cluster state folder)');
  addRunOptions(command).action(async (spec: string, raw: RawUpOptions & { host?: string; out?: string }, cmd: Command) => {
    const { runBackup } = await import('../up/run-backup');
    const { workflowOptions } = await import('../up/up-command-options');
    await runBackup({ ...workflowOptions(spec, raw, cmd), ...(raw.host ? { host: raw.host } : {}), ...(raw.out ? { outDir: raw.out } : {}) });
  });
}
