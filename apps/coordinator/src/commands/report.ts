import type { Command } from 'commander';
import { clusterSelection } from './global-options';

/** `kumi report`: the picture of a build, as one self-contained HTML file. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write the picture of a build from the journal: one self-contained HTML file (no network, no external assets) with a timeline per host, stage boundaries, the critical path, failures with their stderr, and totals per stage and host',
    )
    .option('--out <file>', 'where to write the HTML (default: reports/<run>.html in the cluster state folder)')
    .option('--run <id>', 'which run of the journal (default: the latest)')
    .option('--json', 'print the report\'s data (hosts, steps, critical path, totals) as JSON besides writing the file')
    .action(async (options: { out?: string; run?: string; json?: boolean }, command: Command) => {
      const { existingClusterDir } = await import('../state/state-paths');
      const { readClusterConfig } = await import('../state/cluster-config');
      const { statePaths } = await import('../state/state-paths');
      const { noColorWanted, writeReport } = await import('../report/write-report');
      const dir = existingClusterDir(clusterSelection(command));
      const config = await readClusterConfig(statePaths(dir).clusterJson);
      const { file, model } = writeReport({ dir, cluster: config.name, mono: noColorWanted(), ...(options.out ? { out: options.out } : {}), ...(options.run ? { run: options.run } : {}) });
      if (options.json) process.stdout.write(`${JSON.stringify({ file, ...model }, null, 2)}\n`);
      else process.stdout.write(`report: ${file} (${model.outcome}, ${model.hosts.length} host(s), ${model.bars.length} step(s))\n`);
    });
}
