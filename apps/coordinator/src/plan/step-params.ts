import { catalogue, findStep } from '@kumi/steps';
import * as z from 'zod';

/** The catalogue's step ids, for messages naming what exists. */
export function catalogueStepIds(): string[] {
  return [...catalogue.keys()];
}

/** The plan asked for parameters a step's schema refuses: a bug in kumi, not in the spec. */
export class PlanParamsError extends Error {
  readonly step: string;
  /** What the schema refused, e.g. "state: Invalid option". */
  readonly detail: string;

  constructor(step: string, detail: string) {
    super(`kumi built parameters that step ${step} refuses (${detail}); please report this bug`);
    this.name = 'PlanParamsError';
    this.step = step;
    this.detail = detail;
  }
}

/**
 * Checks a step's parameters against its catalogue schema and returns them with defaults filled.
 * `runtimeParams` are filled while running and left out of the check.
 */
export function stepParams(step: string, params: Record<string, unknown>, runtimeParams: readonly string[] = []): Record<string, unknown> {
  // The catalogue is the one registry of steps and their parameter schemas.
  const schema = findStep(step)?.params;
  if (schema === undefined) throw new PlanParamsError(step, 'no such step in the catalogue');
  let checked: z.ZodType = schema;
  if (runtimeParams.length > 0) {
    if (!(schema instanceof z.ZodObject)) throw new PlanParamsError(step, 'runtime inputs need an object schema');
    checked = schema.omit(Object.fromEntries(runtimeParams.map((name) => [name, true])) as Record<string, true>);
  }
  const parsed = checked.safeParse(params);
  if (!parsed.success) {
    throw new PlanParamsError(step, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`).join('; '));
  }
  return parsed.data as Record<string, unknown>;
}
