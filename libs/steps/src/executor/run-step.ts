import { localHost } from '../host-reader';
import type { Action, Plan } from '../plan';
import { describeAction } from '../plan';
import type { RunStepOptions, StepOutcome } from '../run-types';
import { StepFailure } from '../run-types';
import type { AnyStep, HostReader } from '../step';
import type { ExecutionContext } from './execution-context';
import { removeAction, symlinkAction, writeAction } from './file-actions';
import { checkSecrets, parseParams } from './parse-params';
import { collectSecrets, redactorFor, type Redactor } from './redactor';
import { runCommand } from './run-command';
import { waitAction } from './wait-for';

/**
 * Runs one step on this host: parameters and secrets checked, `check` reads the host,
 * `plan` says what is missing, and the actions run in order. Throws StepFailure; every
 * message and output line has the run's secrets redacted.
 */
export async function runStep(step: AnyStep, options: RunStepOptions): Promise<StepOutcome> {
  const params = parseParams(step, options.params);
  checkSecrets(step, options.secrets);
  throwIfCancelled(options.signal, step);

  const requestSecrets = collectSecrets(options.secrets, []);
  const host = localHost(options.root, options.facts, {
    spawnObserver: options.spawnObserver,
    signal: options.signal,
    secrets: requestSecrets,
  });
  const early = redactorFor(requestSecrets);
  let facts: unknown;
  try {
    facts = await step.check(host, params, options.secrets);
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throwIfCancelled(options.signal, step);
    throw new StepFailure('CHECK_FAILED', early(`step ${step.id} could not read the host: ${messageOf(error)}`), {
      cause: error,
    });
  }

  throwIfCancelled(options.signal, step);
  const plan = planSafely(step, facts, params, options, early);
  if (plan.actions.length === 0) {
    const outputs = await readOutputs(step, host, params, facts, early);
    return { status: 'noop', reason: plan.noop ?? 'nothing to do', outputs };
  }
  const planned = plan.actions.map(describeAction);
  if (options.dryRun) return { status: 'planned', planned };

  const context = contextFor(options, plan.actions);
  for (const action of plan.actions) {
    throwIfCancelled(options.signal, step);
    context.progress(describeAction(action));
    await runAction(action, context);
  }
  const outputs = await readOutputs(step, host, params, facts, context.redact);
  return { status: 'done', outputs, planned };
}

function planSafely(step: AnyStep, facts: unknown, params: unknown, options: RunStepOptions, redact: Redactor): Plan {
  try {
    return step.plan(facts, params, options.secrets);
  } catch (error) {
    // A step may refuse on purpose, e.g. INVALID_PARAMS for a secret only its plan needs.
    if (error instanceof StepFailure) throw error;
    throw new StepFailure('INTERNAL', redact(`step ${step.id} could not plan: ${messageOf(error)}`), { cause: error });
  }
}

async function readOutputs(
  step: AnyStep,
  host: HostReader,
  params: unknown,
  facts: unknown,
  redact: Redactor,
): Promise<Record<string, unknown>> {
  if (step.outputs === undefined) return {};
  try {
    return (await step.outputs(host, params, facts)) as Record<string, unknown>;
  } catch (error) {
    throw new StepFailure('CHECK_FAILED', redact(`step ${step.id} could not read its outputs: ${messageOf(error)}`), {
      cause: error,
    });
  }
}

function contextFor(options: RunStepOptions, actions: readonly Action[]): ExecutionContext {
  const secrets = collectSecrets(options.secrets, actions);
  const redact = redactorFor(secrets);
  return {
    root: options.root,
    secrets,
    redact,
    signal: options.signal,
    spawnObserver: options.spawnObserver,
    output: (stream, line) => options.onProgress?.({ kind: 'output', stream, line: redact(line) }),
    progress: (text) => options.onProgress?.({ kind: 'progress', text: redact(text) }),
  };
}

async function runAction(action: Action, context: ExecutionContext): Promise<void> {
  switch (action.kind) {
    case 'run':
      return runCommand(action, context);
    case 'write':
      return writeAction(action, context);
    case 'remove':
      return removeAction(action, context);
    case 'symlink':
      return symlinkAction(action, context);
    case 'wait':
      return waitAction(action, context);
  }
}

function throwIfCancelled(signal: AbortSignal | undefined, step: AnyStep): void {
  if (signal?.aborted) throw new StepFailure('CANCELLED', `step ${step.id} was cancelled`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
