import type { Command } from 'commander';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { clusterSelection } from './global-options';

async function openState(command: Command) {
  const { existingClusterDir } = await import('../state/state-paths');
  const { openClusterState } = await import('../state/cluster-state');
  return openClusterState(existingClusterDir(clusterSelection(command)));
}

/** `kumi token create|list|delete`: single-use bootstrap tokens for enrolling agents. */
export function register(program: Command): void {
  const token = program.command('token').description('manage single-use bootstrap tokens that agents enroll with');

  token
    .command('create')
    .description('mint a single-use bootstrap token (printed once; only its hash is stored)')
    .option('--host <name>', 'only this host name may enroll with the token')
    .option('--ttl <duration>', 'how long the token is valid, e.g. 30m, 24h, 2h30m', '24h')
    .action(async (options: { host?: string; ttl: string }, command: Command) => {
      const { parseDuration } = await import('../cli/duration');
      const { createFileLogger } = await import('../logging/logger');
      const { agentConfigSnippet } = await import('../output/agent-config-snippet');
      const { isValidHostName } = await import('@kumi/trust');
      const ttlMs = parseDuration(options.ttl, '--ttl');
      if (options.host !== undefined && !isValidHostName(options.host)) {
        throw new CliError(`invalid --host "${options.host}": use the agent's lower-case host name (letters, digits, '-', '.')`, ExitCode.USAGE);
      }
      const state = await openState(command);
      const created = await state.tokens.create({ ttlMs, host: options.host });
      createFileLogger(state.paths.logFile).info({ tokenId: created.record.id, host: created.record.host, expiresAt: created.record.expiresAt }, 'token created');
      process.stdout.write(
        [
          `token:      ${created.token}`,
          `ca pin:     ${state.config.caPin}`,
          `expires:    ${created.record.expiresAt}`,
          `host:       ${created.record.host ?? '(any host)'}`,
          '',
          'The token is shown only now and works once. For the agent, e.g. /etc/kumi/agent.yaml (0600):',
          '',
          agentConfigSnippet(state.config, created.token, created.record.host),
        ].join('\n'),
      );
    });

  token
    .command('list')
    .description('list bootstrap tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { tokenTable } = await import('../output/token-table');
      const state = await openState(command);
      const records = await state.tokens.list();
      process.stdout.write(options.json ? `${JSON.stringify(records.map(({ secretHash: _hash, ...rest }) => rest), null, 2)}\n` : tokenTable(records, new Date()));
    });

  token
    .command('delete')
    .description('delete a bootstrap token so nobody can enroll with it')
    .argument('<id>', 'the token id (the part before the dot)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { createFileLogger } = await import('../logging/logger');
      const state = await openState(command);
      const tokenId = id.includes('.') ? (id.split('.')[0] as string) : id;
      if (!(await state.tokens.delete(tokenId))) {
        throw new CliError(`no bootstrap token with id "${tokenId}": see \`kumi token list\``, ExitCode.USAGE);
      }
      createFileLogger(state.paths.logFile).info({ tokenId }, 'token deleted');
      process.stdout.write(`deleted token ${tokenId}\n`);
    });
}
