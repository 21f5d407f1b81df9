import { Secret, StepFailure } from '@kumi/steps';
import type { StepCall, StepStillCurrent } from '../broker/secret-broker';
import { type AgentLink, agentStepEvents } from './agent-steps';

/** A broker step as it starts and ends, for progress lines (never with its secrets). */
export interface BrokerStepReport {
  host: string;
  step: string;
  phase: 'start' | 'done' | 'noop' | 'failed';
  text: string;
  error?: { code: string; message: string; stderrTail?: string };
}

/**
 * The SecretBroker's StepCall over the attached agents: runs upload-certs, token-create
 * and token-delete on a control plane, resolves with the step's outputs, rejects with a
 * StepFailure carrying the agent's error.
 */
export function brokerStepCall(link: AgentLink, signal: AbortSignal, report: (step: BrokerStepReport) => void): StepCall {
  return async (host, step, params, secrets) => {
    const bag = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, new Secret(value)]));
    report({ host, step, phase: 'start', text: `${step} on ${host} for the secret broker` });
    for await (const event of agentStepEvents(link, { host, step, params, secrets: bag, signal })) {
      if (event.kind === 'done' || event.kind === 'noop') {
        report({ host, step, phase: event.kind, text: event.kind === 'noop' ? event.reason : `${step} done` });
        return event.outputs;
      }
      if (event.kind === 'failed') {
        report({ host, step, phase: 'failed', text: event.error.message, error: event.error });
        throw new StepFailure(event.error.code === 'READINESS_FAILED' || event.error.code === 'INPUTS_UNAVAILABLE' ? 'INTERNAL' : event.error.code, `${step} on ${host}: ${event.error.message}`, {
          exitCode: event.error.exitCode,
          stderrTail: event.error.stderrTail,
          command: event.error.command,
        });
      }
    }
    throw new StepFailure('INTERNAL', `${step} on ${host} ended without a result`);
  };
}

/**
 * The SecretBroker's StepStillCurrent over the attached agents: a dry run of the step with
 * the given secrets; true when the step answers NOOP (nothing to renew).
 */
export function brokerStillCurrent(link: AgentLink, signal: AbortSignal): StepStillCurrent {
  return async (host, step, params, secrets) => {
    const bag = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, new Secret(value)]));
    for await (const event of agentStepEvents(link, { host, step, params, secrets: bag, dryRun: true, signal })) {
      if (event.kind === 'noop') return true;
      if (event.kind === 'done' || event.kind === 'failed') return false;
    }
    return false;
  };
}
