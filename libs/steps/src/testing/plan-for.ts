import type { HostFacts } from '../facts';
import { localHost } from '../host-reader';
import { describeAction } from '../plan';
import type { Plan } from '../plan';
import type { AnyStep } from '../step';
import { makeTempRoot, removeTempRoot } from './temp-root';
import type { SeedEntry } from './temp-root';

/** A plan as test tables compare it: one line per action, or the noop reason. */
export interface PlanLines {
  lines: string[];
  noop?: string;
  plan: Plan;
}

/** Seeds a temp root with `files`, runs the step's check against it, and plans. */
export async function planFor(
  step: AnyStep,
  facts: HostFacts,
  files: Readonly<Record<string, SeedEntry>>,
  params: unknown = {},
): Promise<PlanLines> {
  const root = await makeTempRoot(files);
  try {
    const parsed = step.params.parse(params);
    const found = await step.check(localHost(root, facts), parsed, {});
    const plan = step.plan(found, parsed, {});
    return { lines: plan.actions.map(describeAction), noop: plan.noop, plan };
  } finally {
    await removeTempRoot(root);
  }
}
