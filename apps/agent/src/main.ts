// First: sets a V8 flag that must be in place before the rest of the bundle is evaluated.
import './runtime/small-young-generation';
import './runtime/exit-emitter';
import { Command } from 'commander';
import { installCommand } from './commands/install';
import { runCommand } from './commands/run-command';
import { AGENT_VERSION } from './version';

/** The kumi-agent command line; each subcommand lives in its own file under commands/. */
export function agentProgram(): Command {
  return new Command('kumi-agent')
    .description('kumi host agent: dials out to the kumi coordinator and runs its compiled-in host steps')
    .version(AGENT_VERSION, '-v, --version', 'print the agent version')
    .addCommand(runCommand())
    .addCommand(installCommand());
}

agentProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`kumi-agent: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
