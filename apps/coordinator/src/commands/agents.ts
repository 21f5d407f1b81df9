import type { ListAgentsResponse__Output } from '@kumi/proto';
import type { Command } from 'commander';
import { addJsonOption } from '../output/json-output';
import { clusterSelection } from './global-options';

/** `kumi agents`: the attached hosts and their key facts. */
export function register(program: Command): void {
  addJsonOption(program.command('agents').description('list attached agents with their key facts (needs `kumi serve` or `kumi up` running)'))
    .action(async (options: { json?: boolean }, command: Command) => {
      const { existingClusterDir, statePaths } = await import('../state/state-paths');
      const { openControlClient, controlCallError } = await import('../client/control-client');
      const { agentsTable } = await import('../output/agents-table');
      const { printJson } = await import('../output/json-output');
      const { controlSocket } = statePaths(existingClusterDir(clusterSelection(command)));
      const client = openControlClient(controlSocket);
      try {
        const response = await new Promise<ListAgentsResponse__Output>((resolve, reject) => {
          client.ListAgents({}, { deadline: Date.now() + 10_000 }, (error, result) =>
            error || !result ? reject(error ? controlCallError(error, controlSocket) : new Error('empty answer from the coordinator: try again; if it persists, restart `kumi serve` and check its log')) : resolve(result),
          );
        });
        if (options.json) printJson(response.agents);
        else process.stdout.write(agentsTable(response.agents));
      } finally {
        client.close();
      }
    });
}
