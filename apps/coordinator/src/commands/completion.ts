import type { Command } from 'commander';
import { usageError } from '../cli/cli-error';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../cli/completion';

/** `kumi completion bash|zsh|fish`: the shell completion script. */
export function register(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script: source <(kumi completion bash), source <(kumi completion zsh), kumi completion fish | source')
    .argument('<shell>', COMPLETION_SHELLS.join(', '))
    .action((shell: string) => {
      if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
        throw usageError(`kumi completion knows no shell "${shell}": use one of ${COMPLETION_SHELLS.join(', ')}, e.g. source <(kumi completion bash)`);
      }
      process.stdout.write(completionScript(program, shell as CompletionShell));
    });
}
