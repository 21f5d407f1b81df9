import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { usageError } from '../cli/cli-error';
import type { RunStepSpec } from '../plan';

/**
 * Reads a steps file for `kumi run --steps-file`: a YAML (or JSON) list of
 * `{ step: ID, params: {...} }`, run in order. Secrets never go here: use --secret-file.
 */
export async function readStepsFile(path: string): Promise<RunStepSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read --steps-file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw usageError(`--steps-file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  const example = 'e.g.\n- step: swap.off\n- step: sysctl.kubernetes\n  params: {}';
  if (!Array.isArray(parsed) || parsed.length === 0) throw usageError(`--steps-file ${path} must be a non-empty list of steps, ${example}`);
  return parsed.map((item: unknown, index) => {
    const where = `--steps-file ${path}, item ${index + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw usageError(`${where}: each item is {step: ID, params: {...}}, ${example}`);
    const { step, params, ...rest } = item as Record<string, unknown>;
    if (typeof step !== 'string' || step === '') throw usageError(`${where}: "step" must name a step id, ${example}`);
    if (Object.keys(rest).length > 0) throw usageError(`${where}: unknown field(s) ${Object.keys(rest).join(', ')}; an item has only step and params`);
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) throw usageError(`${where}: "params" must be a mapping`);
    return { step, params: (params ?? {}) as Record<string, unknown> };
  });
}
