import { StepFailure } from '@kumi/steps';
import type { HostRunner, ReadinessChecker, ReadinessContext } from './scheduler-types';
import { StepRunError } from './step-handle';

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
      const probe = runner.runStep({ host: check.host, step: check.step, params: check.params, secrets: {}, signal: context.signal });
      for await (const event of probe) if (event.kind === 'progress') context.onProgress(event.text);
      try {
        await probe;
      } catch (error) {
        if (!(error instanceof StepRunError)) throw error;
        const code = error.code === 'READINESS_FAILED' || error.code === 'INPUTS_UNAVAILABLE' ? 'INTERNAL' : error.code;
        throw new StepFailure(code, `${readiness.waitsFor}: ${error.error.message}`);
      }
    },
  };
}
