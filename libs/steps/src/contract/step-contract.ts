import { describeAction, type Plan } from '../plan';
import type { AnyStep, SecretBag } from '../step';

/** One row of a step's contract: what `check` found, and the parameters. */
export interface ContractRow {
  facts: unknown;
  params: unknown;
  secrets?: SecretBag;
}

/**
 * A step's contract cases (facts in, plan out, no host needed):
 * - firstRun: a fresh host, the step has work to do;
 * - noop: the host as the step leaves it, nothing to do, with the reason said;
 * - drift: a host the step configured before and that drifted since: it repairs only
 *   what drifted, a part of what the first run does.
 */
export interface StepCases {
  step: AnyStep;
  firstRun: ContractRow;
  noop: ContractRow;
  drift: ContractRow;
}

function planRow(step: AnyStep, row: ContractRow): Plan {
  const params = step.params.parse(row.params);
  return step.plan(row.facts, params, row.secrets ?? {});
}

/**
 * The contract every step keeps (pyinfra's rule and ours), as a list of broken promises
 * (empty when kept): parameters parse; planning is pure (the same facts give the same
 * plan); an empty plan carries a noop reason; the first run has work; the noop row has
 * none; the drift row has work that the first run also does.
 */
export function contractProblems(cases: StepCases): string[] {
  const { step } = cases;
  const problems: string[] = [];
  const rows = { firstRun: cases.firstRun, noop: cases.noop, drift: cases.drift };
  const lines: Record<string, string[]> = {};
  for (const [name, row] of Object.entries(rows)) {
    let plan: Plan;
    try {
      plan = planRow(step, row);
    } catch (error) {
      problems.push(`${step.id} ${name}: planning threw ${(error as Error).message}`);
      continue;
    }
    lines[name] = plan.actions.map(describeAction);
    if (JSON.stringify(planRow(step, row)) !== JSON.stringify(plan)) problems.push(`${step.id} ${name}: the same facts gave a different plan (plan must be pure)`);
    if (plan.actions.length === 0 && !(plan.noop && plan.noop.trim().length > 0)) problems.push(`${step.id} ${name}: an empty plan without a noop reason`);
  }
  if (lines.firstRun?.length === 0) problems.push(`${step.id} firstRun: a fresh host needs no work`);
  if (lines.noop && lines.noop.length > 0) problems.push(`${step.id} noop: still plans ${lines.noop.join('; ')}`);
  if (lines.drift?.length === 0) problems.push(`${step.id} drift: a drifted host is not repaired`);
  const missing = (lines.drift ?? []).filter((line) => !(lines.firstRun ?? []).includes(line));
  if (missing.length > 0) problems.push(`${step.id} drift: does what a first run would not: ${missing.join('; ')}`);
  return problems;
}
