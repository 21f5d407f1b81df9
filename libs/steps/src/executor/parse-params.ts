import type * as z from 'zod';
import { StepFailure } from '../run-types';
import { Secret } from '../secret';
import type { AnyStep, SecretBag } from '../step';

/**
 * Checks raw parameters against the step's schema. INVALID_PARAMS names every bad field,
 * what was wrong with it and how to fix it.
 */
export function parseParams(step: AnyStep, raw: unknown): unknown {
  const result = (step.params as z.ZodType).safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(parameters)';
    return `${field}: ${issue.message}`;
  });
  throw new StepFailure(
    'INVALID_PARAMS',
    `invalid parameters for step ${step.id}: ${problems.join('; ')}. ` +
      `Fix: correct ${problems.length === 1 ? 'this field' : 'these fields'} in the step parameters and run again.`,
  );
}

/** INVALID_PARAMS unless every secret the step declares arrived as a Secret. */
export function checkSecrets(step: AnyStep, secrets: SecretBag): void {
  const missing = (step.secrets ?? []).filter((name) => !(secrets[name] instanceof Secret));
  if (missing.length === 0) return;
  throw new StepFailure(
    'INVALID_PARAMS',
    `step ${step.id} needs the secret${missing.length === 1 ? '' : 's'} ${missing.join(', ')}. ` +
      'Fix: send them in the request\'s secrets field (never inside params).',
  );
}
