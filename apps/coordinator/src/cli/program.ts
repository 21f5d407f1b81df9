import { Command } from 'commander';
import { commandRegistrars } from '../commands/index';
import { EXIT_CODES_HELP } from './exit-codes';
import { KUMI_VERSION } from './version';

/** The `kumi` program with every command registered; it throws instead of exiting. */
export function createProgram(): Command {
  const program = new Command('kumi')
    .description('kumi: highly available Kubernetes on plain Linux VMs, driven through agents (no SSH)')
    .version(KUMI_VERSION, '-V, --version', 'print the kumi version')
    .option('--state-dir <dir>', 'cluster state folder (default: ~/.kumi/clusters/<cluster>; env KUMI_STATE_DIR)')
    .option('--cluster <name>', 'cluster name under ~/.kumi/clusters (env KUMI_CLUSTER; default: the only one)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .showHelpAfterError('(run `kumi --help` for usage)')
    .exitOverride();
  for (const register of commandRegistrars) register(program);
  return program;
}
