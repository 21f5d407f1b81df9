import { type Action, describeAction, type Plan } from '../plan';
import type { AnyStep, SecretBag } from '../step';

/** One row of a step's contract: what `check` found, and the parameters. */
export interface ContractRow {
  facts: unknown;
  params: unknown;
  secrets?: SecretBag;
}

/**
 * A step's contract cases (facts in, plan out, no host needed), kept next to the step in
 * `steps/<dir>/<dir>.contract.ts` as `export const contract: StepCases`:
 * - firstRun: a fresh host, the step has work to do;
 * - noop: the host as the step leaves it, nothing to do, with the reason said (or, for a
 *   step that always acts such as the drill, `{ never }`: why it cannot be a no-op);
 * - drift: a host the step configured before and that drifted since: it repairs only
 *   what drifted, a part of what the first run does.
 * A `readOnly` step (preflight) changes nothing: no row plans work, every row says why, and
 * the drift row's reason reports what drifted (it differs from the noop row's).
 */
export interface StepCases {
  step: AnyStep;
  firstRun: ContractRow;
  noop: ContractRow | { never: string };
  drift: ContractRow;
  readOnly?: boolean;
}

/** An action without its reason: the drift row may say why differently ("differs" vs "missing"), not do differently. */
function actionKey(action: Action): string {
  return describeAction({ ...action, why: '' });
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
  const noopRow = 'never' in cases.noop ? undefined : cases.noop;
  const rows = { firstRun: cases.firstRun, ...(noopRow === undefined ? {} : { noop: noopRow }), drift: cases.drift };
  const lines: Record<string, string[]> = {};
  const keys: Record<string, string[]> = {};
  const reasons: Record<string, string | undefined> = {};
  for (const [name, row] of Object.entries(rows)) {
    let plan: Plan;
    try {
      plan = planRow(step, row);
    } catch (error) {
      problems.push(`${step.id} ${name}: planning threw ${(error as Error).message}`);
      continue;
    }
    lines[name] = plan.actions.map(describeAction);
    keys[name] = plan.actions.map(actionKey);
    reasons[name] = plan.noop;
    if (JSON.stringify(planRow(step, row)) !== JSON.stringify(plan)) problems.push(`${step.id} ${name}: the same facts gave a different plan (plan must be pure)`);
    if (plan.actions.length === 0 && !(plan.noop && plan.noop.trim().length > 0)) problems.push(`${step.id} ${name}: an empty plan without a noop reason`);
  }
  if ('never' in cases.noop && cases.noop.never.trim().length === 0) problems.push(`${step.id} noop: says it never noops without saying why`);
  if (cases.readOnly) {
    for (const [name, planned] of Object.entries(lines)) if (planned.length > 0) problems.push(`${step.id} ${name}: a read-only step plans ${planned.join('; ')}`);
    if (reasons.drift !== undefined && reasons.drift === reasons.noop) problems.push(`${step.id} drift: the reason does not report the drift (same as the noop row's)`);
    return problems;
  }
  if (lines.firstRun?.length === 0) problems.push(`${step.id} firstRun: a fresh host needs no work`);
  if (lines.noop && lines.noop.length > 0) problems.push(`${step.id} noop: still plans ${lines.noop.join('; ')}`);
  if (lines.drift?.length === 0) problems.push(`${step.id} drift: a drifted host is not repaired`);
  const missing = (lines.drift ?? []).filter((_line, i) => !(keys.firstRun ?? []).includes(keys.drift?.[i] ?? ''));
  if (missing.length > 0) problems.push(`${step.id} drift: does what a first run would not: ${missing.join('; ')}`);
  return problems;
}
