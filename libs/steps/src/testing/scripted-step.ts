import * as z from 'zod';
import type { Action } from '../plan';
import type { RunStepOptions } from '../run-types';
import type { AnyStep, SecretBag } from '../step';
import { debianFacts } from './host-facts';

/** A step whose plan is the given actions (built from the secrets), for executor tests. */
export function scriptedStep(
  actions: Action[] | ((secrets: SecretBag) => Action[]),
  extra: Partial<AnyStep> = {},
): AnyStep {
  return {
    id: 'test.scripted',
    title: 'Scripted test step',
    params: z.object({}).strict(),
    check: async () => ({}),
    plan: (_facts, _params, secrets: SecretBag) => {
      const list = typeof actions === 'function' ? actions(secrets) : actions;
      return list.length > 0 ? { actions: list } : { actions: [], noop: 'scripted: nothing to do' };
    },
    ...extra,
  };
}

/** Options for runStep against `root` with Debian facts and no secrets, overridable. */
export function runOptions(root: string, overrides: Partial<RunStepOptions> = {}): RunStepOptions {
  return { root, facts: debianFacts, params: {}, secrets: {}, dryRun: false, ...overrides };
}

/** argv for running a small Node.js script as a command (no shell involved). */
export function nodeScript(source: string, ...args: string[]): string[] {
  return [process.execPath, '-e', source, '--', ...args];
}
