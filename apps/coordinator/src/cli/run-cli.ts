import { CommanderError } from 'commander';
import { CliError } from './cli-error';
import { ExitCode } from './exit-codes';
import { createProgram } from './program';

/** What to do after an error kumi did not foresee (every foreseen one names its own fix). */
export const UNEXPECTED_ERROR_HINT =
  'kumi: this error was not expected: run the command again; if it persists, look at kumi.log in the cluster state folder (KUMI_LOG_LEVEL=debug for more) and report it with that log';

/** Runs `kumi` with argv (as process.argv) and returns the exit code; never exits itself. */
export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message; help and version end with exit code 0.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof CliError) {
      process.stderr.write(`kumi: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`kumi: ${(error as Error).message ?? String(error)}\n${UNEXPECTED_ERROR_HINT}\n`);
    return ExitCode.FAILURE;
  }
}
