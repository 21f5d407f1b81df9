import type { Concurrency, Plan, PlanEntry, Readiness, SecretNeed } from './types';

/** How much formatPlan prints. */
export interface PrintOptions {
  /** Also print each entry's parameters (they never hold secrets). */
  params?: boolean;
}

/** Human words for a concurrency rule. */
export function describeConcurrency(concurrency: Concurrency): string {
  switch (concurrency.kind) {
    case 'all':
      return 'all hosts in parallel';
    case 'one-at-a-time':
      return 'one host at a time';
    case 'cap':
      return `in parallel, at most ${concurrency.max} host(s) at a time`;
  }
}

function describeSecret(need: SecretNeed, entry: PlanEntry): string {
  const { mint } = need;
  if (mint.how === 'generate') return `${need.name} (minted by kumi, installed by ${mint.installedBy}, lifetime ${mint.lifetime})`;
  if (mint.installedBy === entry.path) return `${need.name} (minted by kumi, memory only: ${mint.when})`;
  return `${need.name} (from ${mint.installedBy}: ${mint.when})`;
}

function describeReadiness(label: string, readiness: Readiness): string {
  const via = readiness.check.kind === 'probe' ? ` [${readiness.check.step} on ${readiness.check.host}]` : '';
  return `${label} ${readiness.id}: ${readiness.waitsFor}${via}`;
}

function entryLines(entry: PlanEntry, hostWidth: number, stepWidth: number, options: PrintOptions): string[] {
  const where = entry.runOn ? `  on ${entry.runOn}` : '';
  const lines = [`  ${entry.host.padEnd(hostWidth)}  ${entry.step.padEnd(stepWidth)}  ${entry.path}${where}`];
  const indent = ' '.repeat(4 + hostWidth);
  if (entry.cleanup) lines.push(`${indent}cleanup: runs also when an earlier step of ${entry.host} failed`);
  for (const gate of entry.gates) lines.push(`${indent}${describeReadiness('gate', gate)}`);
  if (entry.secrets.length > 0) lines.push(`${indent}secrets: ${entry.secrets.map((need) => describeSecret(need, entry)).join('; ')}`);
  if (entry.inputs.length > 0) {
    lines.push(`${indent}runtime inputs: ${entry.inputs.map((input) => `${input.param} from ${input.source}${input.required ? '' : ' (optional)'}`).join(', ')}`);
  }
  if (options.params) lines.push(`${indent}params: ${JSON.stringify(entry.params)}`);
  return lines;
}

/** The plan as text: a header per stage (concurrency, readiness), one line per host+step. */
export function formatPlan(plan: Plan, options: PrintOptions = {}): string {
  const entries = plan.stages.flatMap((stage) => stage.entries);
  const hostWidth = Math.max(4, ...entries.map((entry) => entry.host.length));
  const stepWidth = Math.max(4, ...entries.map((entry) => entry.step.length));
  const lines = [`Plan of kumi ${plan.workflow} for cluster ${plan.cluster}: ${plan.stages.length} stages, ${entries.length} host steps`];
  plan.stages.forEach((stage, index) => {
    const afterFailure = stage.afterHostFailure === 'finish-stage' ? '; a failed host does not stop the others' : stage.afterHostFailure === 'drop-host' ? '; a failed host is left out of the later stages' : '';
    lines.push('', `[${index + 1}/${plan.stages.length}] ${stage.id}: ${stage.title} (${describeConcurrency(stage.concurrency)}${afterFailure})`);
    for (const readiness of stage.before) lines.push(`  ${describeReadiness('before', readiness)}`);
    for (const entry of stage.entries) lines.push(...entryLines(entry, hostWidth, stepWidth, options));
    for (const readiness of stage.after) lines.push(`  ${describeReadiness('after', readiness)}`);
  });
  return `${lines.join('\n')}\n`;
}
