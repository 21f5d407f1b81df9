import type { Command } from 'commander';
import { clusterSelection } from './global-options';

/** `kumi report`: the picture of a build (or of a plan), as one self-contained HTML file. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write the picture of a build from the journal: one self-contained HTML file (no network, no external assets) with a timeline per host, stage boundaries, the critical path, failures with their stderr, and totals per stage and host',
    )
    .option('--out <file>', 'where to write the HTML (default: reports/<run>.html in the cluster state folder; with --plan: kumi-plan-<cluster>.html here)')
    .option('--run <id>', 'which run of the journal (default: the latest)')
    .option('--plan <spec>', 'picture a dry run of this spec instead: its plan laid out as the scheduler runs it, every step one unit long')
    .option('--json', 'print the report\'s data (hosts, steps, critical path, totals) as JSON besides writing the file')
    .action(async (options: { out?: string; run?: string; plan?: string; json?: boolean }, command: Command) => {
      const { noColorWanted } = await import('../output/terminal');
      const { writeHtml, writeReport } = await import('../report/write-report');
      let written;
      if (options.plan && options.run) {
        const { usageError } = await import('../cli/cli-error');
        throw usageError('--plan pictures a dry run of a spec and --run picks a run of the journal: give one of them');
      }
      if (options.plan) {
        const { loadSpecForCli } = await import('../spec/load-for-cli');
        const { buildPlan } = await import('../plan');
        const { planModel } = await import('../report/plan-model');
        const { renderReportPage } = await import('../report/render-html');
        const { spec } = await loadSpecForCli(options.plan);
        const model = planModel(buildPlan(spec));
        const file = options.out ?? `kumi-plan-${spec.metadata.name}.html`;
        writeHtml(file, renderReportPage(model, { cluster: spec.metadata.name, mono: noColorWanted() }));
        written = { file, model };
      } else {
        const { existingClusterDir, statePaths } = await import('../state/state-paths');
        const { readClusterConfig } = await import('../state/cluster-config');
        const dir = existingClusterDir(clusterSelection(command));
        const config = await readClusterConfig(statePaths(dir).clusterJson);
        written = writeReport({ dir, cluster: config.name, mono: noColorWanted(), ...(options.out ? { out: options.out } : {}), ...(options.run ? { run: options.run } : {}) });
      }
      const { file, model } = written;
      if (options.json) process.stdout.write(`${JSON.stringify({ file, ...model }, null, 2)}\n`);
      else process.stdout.write(`report: ${file} (${model.outcome}, ${model.hosts.length} host(s), ${model.bars.length} step(s))\n`);
    });
}
