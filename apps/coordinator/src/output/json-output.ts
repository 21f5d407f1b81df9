import type { Command } from 'commander';

/** Help text of every `--json` option, so the commands describe it the same way. */
export const JSON_OPTION_HELP = 'print JSON instead of a table (for scripts; keys stay stable)';

/** Adds `--json` to a command that prints data (agents, status, plan, token list, …). */
export function addJsonOption(command: Command): Command {
  return command.option('--json', JSON_OPTION_HELP);
}

/**
 * Prints data as `--json` does everywhere: one JSON document, 2-space indented, ending
 * in a newline; bigint values become strings (JSON has no 64-bit integers).
 */
export function printJson(value: unknown, out: Pick<NodeJS.WritableStream, 'write'> = process.stdout): void {
  out.write(`${JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2)}\n`);
}
