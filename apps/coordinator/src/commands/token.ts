import type { Command } from 'commander';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { clusterSelection, collect } from './global-options';

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
    .description('mint single-use bootstrap tokens (printed once; only their hashes are stored): one for any host, or one per --host, all in this one process')
    .option('--host <name>', 'only this host name may enroll with the token; repeatable or comma-separated for one token per host', collect, [])
    .option('--ttl <duration>', 'how long the token is valid, e.g. 30m, 24h, 2h30m', '24h')
    .option('--json', 'print the tokens as JSON: [{host, token, id, expiresAt}] (with the CA pin)')
    .action(async (options: { host: string[]; ttl: string; json?: boolean }, command: Command) => {
      const { parseDuration } = await import('../cli/duration');
      const { createFileLogger } = await import('../logging/logger');
      const { agentConfigSnippet } = await import('../output/agent-config-snippet');
      const { isValidHostName } = await import('@kumi/trust');
      const { hostList } = await import('../client/host-targets');
      const ttlMs = parseDuration(options.ttl, '--ttl');
      const hosts = hostList(options.host);
      const invalid = hosts.filter((host) => !isValidHostName(host));
      if (invalid.length > 0) throw new CliError(`invalid --host ${invalid.map((host) => `"${host}"`).join(', ')}: use the agent's lower-case host name (letters, digits, '-', '.')`, ExitCode.USAGE);
      const state = await openState(command);
      const logger = createFileLogger(state.paths.logFile);
      // One process for the whole batch: the state is opened once, each token appended in turn.
      const created = [];
      for (const host of hosts.length > 0 ? hosts : [undefined]) {
        const one = await state.tokens.create({ ttlMs, host });
        logger.info({ tokenId: one.record.id, host: one.record.host, expiresAt: one.record.expiresAt }, 'token created');
        created.push(one);
      }
      if (options.json) {
        const tokens = created.map((one) => ({ host: one.record.host ?? null, token: one.token, id: one.record.id, expiresAt: one.record.expiresAt }));
        process.stdout.write(`${JSON.stringify({ caPin: state.config.caPin, tokens }, null, 2)}\n`);
        return;
      }
      const [only] = created;
      if (created.length === 1 && only) {
        process.stdout.write(
          [
            `token:      ${only.token}`,
            `ca pin:     ${state.config.caPin}`,
            `expires:    ${only.record.expiresAt}`,
            `host:       ${only.record.host ?? '(any host)'}`,
            '',
            'The token is shown only now and works once. For the agent, e.g. /etc/kumi/agent.yaml (0600):',
            '',
            agentConfigSnippet(state.config, only.token, only.record.host),
          ].join('\n'),
        );
        return;
      }
      const width = Math.max(4, ...created.map((one) => (one.record.host ?? '').length));
      process.stdout.write(
        [
          `ca pin:     ${state.config.caPin}`,
          `expires:    ${only?.record.expiresAt ?? ''}`,
          '',
          `${'HOST'.padEnd(width)}  TOKEN`,
          ...created.map((one) => `${(one.record.host ?? '').padEnd(width)}  ${one.token}`),
          '',
          'Each token is shown only now and works once, for its host only (`kumi cloud-init` writes the agent files).',
          '',
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
