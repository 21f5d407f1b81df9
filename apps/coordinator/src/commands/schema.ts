import type { Command } from 'commander';

/** `kumi schema`: the cluster spec's JSON Schema, for editors. */
export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the cluster spec (for editors, e.g. yaml-language-server)')
    .option('-o, --output <file>', 'write it to a file instead of stdout')
    .action(async (options: { output?: string }) => {
      const { specJsonSchema } = await import('../spec/json-schema');
      const text = `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
      if (options.output === undefined) {
        process.stdout.write(text);
        return;
      }
      const { writeFile } = await import('node:fs/promises');
      const { usageError } = await import('../cli/cli-error');
      await writeFile(options.output, text).catch((error: NodeJS.ErrnoException) => {
        throw usageError(`cannot write ${options.output} (${error.code ?? error.message}): give a path in a folder you can write to`);
      });
    });
}
