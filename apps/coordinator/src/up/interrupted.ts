import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

/**
 * A wait or read before the plan runs, cut off by SIGINT/SIGTERM, ends like an interrupted
 * run (exit 130), not as a failure (exit 1). Call it where such an error is caught: it
 * throws when the signal is aborted and returns otherwise.
 */
export function throwIfInterrupted(signal: AbortSignal, command: string): void {
  if (signal.aborted) throw new CliError(`${command}: interrupted before anything was changed`, ExitCode.INTERRUPTED);
}
