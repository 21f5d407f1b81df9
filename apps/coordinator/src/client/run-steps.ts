import { basename } from 'node:path';
import { findStep, Secret } from '@kumi/steps';
import { CliError, usageError } from '../cli/cli-error';
import { formatDuration } from '../cli/duration';
import { ExitCode } from '../cli/exit-codes';
import { runExitCode } from '../cli/run-exit-code';
import { SecretRegistry } from '../journal/secret-registry';
import { buildRunPlan, catalogueStepIds, type Plan, PlanParamsError, type RunPlanOptions, type RunReport, runPlan, type RunStepSpec } from '../plan';
import { chooseView } from '../progress/choose-view';
import { ProgressSink } from '../progress/progress-sink';
import { failureEvents } from '../up/failure-summary';
import { progressOf } from '../up/scheduler-progress';
import { openControlClient } from './control-client';
import { attachedHosts, controlHostRunner } from './control-runner';
import { type HostTarget, resolveHosts } from './host-targets';

/** Hosts working at once when --max-parallel is not given (Ansible's default forks is 5; steps here are short and mostly no-ops). */
export const DEFAULT_MAX_PARALLEL = 50;

/** Options of a `kumi run`. */
export interface RunStepsOptions {
  /** The cluster folder (its control socket is where `kumi serve` listens). */
  clusterDir: string;
  socketPath: string;
  steps: RunStepSpec[];
  target: HostTarget;
  /** Secret parameters by name, sent with every step. */
  secrets: Record<string, string>;
  dryRun: boolean;
  json: boolean;
  maxParallel: number;
  signal: AbortSignal;
  out?: NodeJS.WriteStream;
}

/** Counts of how the entries ended, e.g. "12 done, 38 noop, 1 failed". */
function tally(report: RunReport): string {
  const counts = new Map<string, number>();
  for (const entry of report.entries) counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

/** The run plan, with the user's mistakes (unknown step, refused parameters) as usage errors. */
export function runPlanOf(options: RunPlanOptions): Plan {
  try {
    return buildRunPlan(options);
  } catch (error) {
    // Here the parameters are the user's, not kumi's.
    if (error instanceof PlanParamsError) {
      throw usageError(
        findStep(error.step) ? `step ${error.step} refuses its parameters (${error.detail})` : `unknown step "${error.step}"; the catalogue has: ${catalogueStepIds().join(', ')}`,
      );
    }
    throw error;
  }
}

/**
 * `kumi run`: the run plan (each step on every host, at most maxParallel at once, a failed
 * host left out of the later steps) on the one scheduler, every step through `kumi
 * serve`'s control socket from this one process. Shows the live per-host view (or NDJSON
 * with --json), ends with one FAILURE per failure and the command that retries it, and
 * throws a CliError with the worst result's exit code unless everything succeeded.
 */
export async function runSteps(options: RunStepsOptions): Promise<RunReport> {
  const client = openControlClient(options.socketPath);
  try {
    const hosts = await resolveHosts(options.target, () => attachedHosts(client, options.socketPath));
    const plan = runPlanOf({ cluster: basename(options.clusterDir), steps: options.steps, hosts, maxParallel: options.maxParallel });
    const redactor = new SecretRegistry();
    for (const value of Object.values(options.secrets)) redactor.add(value);
    const progress = new ProgressSink(chooseView({ json: options.json, ...(options.out ? { out: options.out } : {}) }), redactor);
    const base = { stage: '', host: '', step: '' };
    const started = Date.now();
    const stepNames = options.steps.map((spec) => spec.step).join(', ');
    progress.emit({ ...base, kind: 'RUN_START', text: `kumi run${options.dryRun ? ' --dry-run' : ''}: ${stepNames} on ${hosts.length} host(s), at most ${options.maxParallel} at once` });
    const secrets = Object.fromEntries(Object.entries(options.secrets).map(([name, value]) => [name, new Secret(value)]));
    const runner = controlHostRunner(client);
    let report: RunReport;
    try {
      report = await runPlan(plan, {
        // Every step of a run gets the secrets given with --secret-file.
        runner: { runStep: (request) => runner.runStep({ ...request, secrets: { ...secrets, ...request.secrets } }) },
        readiness: { wait: async () => undefined },
        onEvent: (event) => {
          const shown = progressOf(event);
          if (shown) progress.emit(shown);
        },
        signal: options.signal,
        dryRun: options.dryRun,
      });
      const took = formatDuration(Date.now() - started);
      const code = runExitCode(report);
      if (code === ExitCode.OK) {
        progress.emit({ ...base, kind: 'RUN_DONE', text: `kumi run: ${tally(report)} on ${hosts.length} host(s) in ${took}` });
        return report;
      }
      // Retrying means the failed hosts again, with all the steps (their later steps never
      // ran) and the same parameters, which this process cannot spell back safely (secrets).
      const retry = (hostList: string) => `the same kumi run with --host ${hostList}`;
      const failedHosts = [...new Set(report.failures.map((failure) => failure.host ?? '').filter(Boolean))].join(',');
      for (const failure of failureEvents(report, { resume: retry(failedHosts || hosts.join(',')), only: (path) => retry(path.split('@')[1] ?? '') })) progress.emit(failure);
      progress.emit({ ...base, kind: 'RUN_FAILED', text: `kumi run: ${tally(report)} on ${hosts.length} host(s) in ${took}` });
      if (code === ExitCode.INTERRUPTED) throw new CliError('interrupted; the agents were asked to cancel their steps', code);
      const shown = report.failures.slice(0, 3).map((failure) => (failure.kind === 'step' ? `${failure.step} on ${failure.host}: ${failure.error.code}: ${failure.error.message}` : failure.message));
      const more = report.failures.length - shown.length;
      throw new CliError(redactor.redact(`${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''} (see above)`), code);
    } finally {
      progress.close();
    }
  } finally {
    client.close();
  }
}
