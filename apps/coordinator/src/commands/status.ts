import type { Command } from 'commander';
import { clusterSelection } from './global-options';

/** `kumi status [SPEC]`: per host, the last journaled step and result, and its agent. */
export function register(program: Command): void {
  program
    .command('status')
    .description('per host: last stage/step and result from the journal, whether its agent is attached (when `kumi up` or `kumi serve` runs), and with a spec how far its plan got')
    .argument('[spec]', 'cluster spec YAML file (adds each host\'s progress through the plan)')
    .option('--json', 'print JSON')
    .action(async (specPath: string | undefined, options: { json?: boolean }, command: Command) => {
      const { clusterStatus } = await import('../up/cluster-status');
      const { statusTable } = await import('../up/status-table');
      const { existingClusterDir } = await import('../state/state-paths');
      let spec;
      let dir;
      if (specPath) {
        const { loadSpecForCli } = await import('../spec/load-for-cli');
        const { clusterDirForSpec } = await import('../up/cluster-dir');
        spec = (await loadSpecForCli(specPath)).spec;
        dir = clusterDirForSpec(clusterSelection(command), spec.metadata.name);
      } else {
        dir = existingClusterDir(clusterSelection(command));
      }
      const status = await clusterStatus(dir, spec);
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : statusTable(status));
    });
}
