import { usageError } from '../cli/cli-error';
import { loadSpec, type LoadedSpec } from './load';
import { formatSpecProblem, SpecError } from './problems';

/**
 * loadSpec for commands: warnings go to stderr; an invalid spec becomes a usage error
 * (exit code 2) listing every problem with its path and fix, so nothing runs.
 */
export async function loadSpecForCli(path: string, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<LoadedSpec> {
  try {
    const loaded = await loadSpec(path);
    for (const warning of loaded.warnings) warn(`kumi: ${formatSpecProblem(warning, path)}`);
    return loaded;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const errors = error.problems.filter((problem) => problem.severity === 'error').length;
    throw usageError(
      `invalid cluster spec ${path} (${errors} problem${errors === 1 ? '' : 's'}; nothing was run):\n` +
        error.problems.map((problem) => `  ${formatSpecProblem(problem, path)}`).join('\n'),
    );
  }
}
