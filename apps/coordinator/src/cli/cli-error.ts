import { ExitCode, type ExitCodeValue } from './exit-codes';

/**
 * An error meant for the person at the terminal: its message names the problem and the
 * fix, and it carries the exit code the process ends with. Never put a secret in it.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue = ExitCode.FAILURE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A CliError for bad input (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}
