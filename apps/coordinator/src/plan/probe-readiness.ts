import { StepFailure } from '@kumi/steps';
import type { HostRunner, ReadinessChecker, ReadinessContext } from './scheduler-types';

/** Waits until the agents of `hosts` are attached; reports progress through the context. */
export type AgentsAttachedWaiter = (hosts: readonly string[], context: ReadinessContext) => Promise<void>;

/**
 * A ReadinessChecker that runs `probe` conditions as steps through the same HostRunner
 * (net.wait-tcp for port probes, verify with one check for health), and hands
 * `agents-attached` to the coordinator's session registry.
 */
export function readinessThroughRunner(runner: HostRunner, agentsAttached: AgentsAttachedWaiter): ReadinessChecker {
  return {
    async wait(readiness, context) {
      const { check } = readiness;
      if (check.kind === 'agents-attached') return agentsAttached(check.hosts, context);
      for await (const event of runner.runStep({ host: check.host, step: check.step, params: check.params, secrets: {}, signal: context.signal })) {
        if (event.kind === 'progress') context.onProgress(event.text);
        if (event.kind === 'done' || event.kind === 'noop') return;
        if (event.kind === 'failed') {
          throw new StepFailure(event.error.code === 'READINESS_FAILED' || event.error.code === 'INPUTS_UNAVAILABLE' ? 'INTERNAL' : event.error.code, `${readiness.waitsFor}: ${event.error.message}`);
        }
      }
      throw new StepFailure('INTERNAL', `${readiness.waitsFor}: ${check.step} on ${check.host} ended without a result`);
    },
  };
}
