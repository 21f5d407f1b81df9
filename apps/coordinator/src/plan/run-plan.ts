import { stepParams } from './step-params';
import type { Plan, PlanStage } from './types';

/** One step of a `kumi run`, with its parameters (secrets apart). */
export interface RunStepSpec {
  step: string;
  params: Record<string, unknown>;
}

/** What a `kumi run` runs, and where. */
export interface RunPlanOptions {
  /** The cluster's name, for the plan header. */
  cluster: string;
  /** In order: each step runs on every host before the next starts. */
  steps: readonly RunStepSpec[];
  hosts: readonly string[];
  /** At most this many hosts work at once. */
  maxParallel: number;
}

/** The stage id of the index-th (0-based) step of a run: run-1, run-2, ... */
export function runStageId(index: number): string {
  return `run-${index + 1}`;
}

/**
 * The plan of `kumi run`: one stage per step, each on every host (at most maxParallel at
 * once) before the next step starts, as Ansible's linear strategy does. A host whose step
 * failed is left out of the later steps; the other hosts go on. Parameters are checked
 * against each step's catalogue schema here (PlanParamsError), so a typo fails before
 * anything is sent.
 */
export function buildRunPlan(options: RunPlanOptions): Plan {
  const stages: PlanStage[] = options.steps.map(({ step, params }, index) => {
    const id = runStageId(index);
    const checked = stepParams(step, params);
    return {
      id,
      title: `${step} on ${options.hosts.length} host(s)`,
      concurrency: { kind: 'cap', max: options.maxParallel },
      afterHostFailure: 'drop-host',
      before: [],
      entries: options.hosts.map((host) => ({ stage: id, host, step, path: `${id}/${step}@${host}`, params: checked, secrets: [], inputs: [], gates: [] })),
      after: [],
    };
  });
  return { workflow: 'run', cluster: options.cluster, stages };
}
