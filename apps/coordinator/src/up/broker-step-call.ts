import { StepFailure } from '@kumi/steps';
import { StepRunError } from '../plan';
import { type AgentLink, runAgentStep } from './agent-steps';
import type { RevokeToken } from './token-ledger';

/** A revocation as it starts and ends, for progress lines. */
export interface RevokeReport {
  host: string;
  phase: 'start' | 'done' | 'noop' | 'failed';
  text: string;
  error?: { code: string; message: string; stderrTail?: string };
}

/**
 * The token ledger's RevokeToken over the attached agents: kubeadm.token-delete on the
 * control plane that holds a token a crashed attempt of a lane left behind. Rejects with
 * a StepFailure carrying the agent's error.
 */
export function revokeTokenOverAgents(link: AgentLink, signal: AbortSignal, report: (revoke: RevokeReport) => void): RevokeToken {
  const step = 'kubeadm.token-delete';
  return async (host, tokenId) => {
    report({ host, phase: 'start', text: `${step} on ${host}: revoke token ${tokenId} an earlier attempt left` });
    try {
      const result = await runAgentStep(link, { host, step, params: { tokenId }, secrets: {}, signal });
      if (result.kind === 'planned') throw new StepFailure('INTERNAL', `${step} on ${host} answered as a dry run to a real run`);
      report({ host, phase: result.kind, text: result.kind === 'noop' ? result.reason : `token ${tokenId} revoked` });
    } catch (error) {
      if (!(error instanceof StepRunError)) throw error;
      const failure = error.error;
      report({ host, phase: 'failed', text: failure.message, error: failure });
      throw new StepFailure(failure.code === 'READINESS_FAILED' || failure.code === 'INPUTS_UNAVAILABLE' ? 'INTERNAL' : failure.code, `${step} on ${host}: ${failure.message}`);
    }
  };
}
