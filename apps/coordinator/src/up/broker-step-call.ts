import { Secret, StepFailure } from '@kumi/steps';
import type { StepCall, StepStillCurrent } from '../broker/secret-broker';
import { StepRunError } from '../plan';
import { type AgentLink, runAgentStep } from './agent-steps';

/** A broker step as it starts and ends, for progress lines (never with its secrets). */
export interface BrokerStepReport {
  host: string;
  step: string;
  phase: 'start' | 'done' | 'noop' | 'failed';
  text: string;
  error?: { code: string; message: string; stderrTail?: string };
}

function secretBag(secrets: Readonly<Record<string, string>>): Record<string, Secret> {
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, new Secret(value)]));
}

/**
 * The SecretBroker's StepCall over the attached agents: runs upload-certs, token-create
 * and token-delete on a control plane, resolves with the step's outputs, rejects with a
 * StepFailure carrying the agent's error.
 */
export function brokerStepCall(link: AgentLink, signal: AbortSignal, report: (step: BrokerStepReport) => void): StepCall {
  return async (host, step, params, secrets) => {
    report({ host, step, phase: 'start', text: `${step} on ${host} for the secret broker` });
    try {
      const result = await runAgentStep(link, { host, step, params, secrets: secretBag(secrets), signal });
      if (result.kind === 'planned') throw new StepFailure('INTERNAL', `${step} on ${host} answered as a dry run to a real run`);
      report({ host, step, phase: result.kind, text: result.kind === 'noop' ? result.reason : `${step} done` });
      return result.outputs;
    } catch (error) {
      if (!(error instanceof StepRunError)) throw error;
      const failure = error.error;
      report({ host, step, phase: 'failed', text: failure.message, error: failure });
      throw new StepFailure(failure.code === 'READINESS_FAILED' || failure.code === 'INPUTS_UNAVAILABLE' ? 'INTERNAL' : failure.code, `${step} on ${host}: ${failure.message}`, {
        exitCode: failure.exitCode,
        stderrTail: failure.stderrTail,
        command: failure.command,
      });
    }
  };
}

/**
 * The SecretBroker's StepStillCurrent over the attached agents: a dry run of the step with
 * the given secrets; true when the step answers NOOP (nothing to renew).
 */
export function brokerStillCurrent(link: AgentLink, signal: AbortSignal): StepStillCurrent {
  return async (host, step, params, secrets) => {
    const result = await runAgentStep(link, { host, step, params, secrets: secretBag(secrets), dryRun: true, signal }).then(
      (ended) => ended,
      () => undefined,
    );
    return result?.kind === 'noop';
  };
}
