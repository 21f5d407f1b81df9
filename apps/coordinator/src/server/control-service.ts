import { type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, status } from '@grpc/grpc-js';
import type { ListAgentsRequest__Output, ListAgentsResponse, RunStepRequest__Output, StepEvent } from '@kumi/proto';
import type { Logger } from '../logging/logger';
import { type AgentRegistry, agentInfo } from './agent-registry';
import { TERMINAL_KINDS } from '../client/wire-step-events';
import type { RunBroker } from './run-broker';
import { statusError } from './status-error';

/** What the Control service needs. */
export interface ControlDeps {
  agents: AgentRegistry;
  broker: RunBroker;
  logger: Logger;
}

/** Checks a RunStep request; returns an error message naming the problem, or undefined. */
export function runStepProblem(request: RunStepRequest__Output): string | undefined {
  if (!request.host) return 'RunStep needs a host: pass --host NAME';
  if (!request.step) return 'RunStep needs a step id, e.g. "sysctl.kubernetes"';
  if (request.paramsJson) {
    let params: unknown;
    try {
      params = JSON.parse(request.paramsJson);
    } catch (error) {
      return `params_json is not valid JSON (${(error as Error).message}): pass a JSON object`;
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'params_json must be a JSON object, e.g. {"key":"value"}';
  }
  return undefined;
}

/** Handlers of the kumi.v1.Control service (served on the unix socket). */
export function controlHandlers(deps: ControlDeps) {
  return {
    ListAgents(_call: ServerUnaryCall<ListAgentsRequest__Output, ListAgentsResponse>, callback: sendUnaryData<ListAgentsResponse>) {
      callback(null, { agents: deps.agents.list().map(agentInfo) });
    },

    RunStep(call: ServerWritableStream<RunStepRequest__Output, StepEvent>) {
      const request = call.request;
      const problem = runStepProblem(request);
      if (problem) {
        call.emit('error', statusError(status.INVALID_ARGUMENT, problem));
        return;
      }
      let ended = false;
      try {
        const handle = deps.broker.start(request, (event) => {
          if (ended) return;
          call.write(event);
          if (TERMINAL_KINDS.has(String(event.kind))) {
            ended = true;
            call.end();
          }
        });
        call.on('cancelled', () => {
          if (ended) return;
          ended = true;
          deps.logger.info({ runId: handle.runId }, 'RunStep caller went away');
          handle.abandon();
        });
      } catch (error) {
        call.emit('error', error);
      }
    },
  };
}
