import { type ServiceError, status } from '@grpc/grpc-js';
import type { ControlClient, ListAgentsResponse__Output, StepEvent__Output } from '@kumi/proto';
import { type EntryError, type HostRunner, type HostStepEvent, hostRunnerOf, type StepRunRequest } from '../plan';
import { controlCallError } from './control-client';
import { hostStepEventOf, TERMINAL_KINDS } from './wire-step-events';

/** A gRPC status from `kumi serve` as the error of the step it refused. */
function refusal(error: ServiceError, request: StepRunRequest): EntryError {
  switch (error.code) {
    case status.FAILED_PRECONDITION:
      return { code: 'NOT_ATTACHED', message: error.details };
    case status.UNAVAILABLE:
      return { code: 'NOT_ATTACHED', message: `kumi serve stopped answering while ${request.step} ran on ${request.host}: ${error.details}` };
    case status.INVALID_ARGUMENT:
      return { code: 'INVALID_PARAMS', message: error.details };
    case status.CANCELLED:
      return { code: 'CANCELLED', message: `cancelled ${request.step} on ${request.host}; the coordinator asked the agent to stop it` };
    default:
      return { code: 'INTERNAL', message: `the coordinator answered ${status[error.code] ?? error.code}: ${error.details}` };
  }
}

/** The events of one RunStep call, as the step handle reads them. */
async function* controlStepEvents(client: ControlClient, request: StepRunRequest): AsyncGenerator<HostStepEvent> {
  const secrets = Object.fromEntries(Object.entries(request.secrets).map(([name, secret]) => [name, secret.reveal()]));
  const call = client.RunStep({ host: request.host, step: request.step, paramsJson: JSON.stringify(request.params), secrets, dryRun: request.dryRun === true });
  const queue: HostStepEvent[] = [];
  let finished = false;
  let wake: (() => void) | undefined;
  const push = (event?: HostStepEvent) => {
    if (event) queue.push(event);
    wake?.();
  };
  call.on('data', (event: StepEvent__Output) => {
    push(hostStepEventOf(event));
    if (TERMINAL_KINDS.has(String(event.kind))) finished = true;
  });
  call.on('end', () => {
    finished = true;
    push();
  });
  call.on('error', (error: ServiceError) => {
    if (finished) return;
    finished = true;
    push({ kind: 'failed', error: request.signal.aborted ? refusal({ ...error, code: status.CANCELLED }, request) : refusal(error, request) });
  });
  // Ctrl-C: cancelling the call makes the coordinator ask the agent to stop the step.
  const abort = () => call.cancel();
  request.signal.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    request.signal.removeEventListener('abort', abort);
    if (!finished) call.cancel();
  }
}

/** The scheduler's HostRunner over `kumi serve`'s Control socket (one client for the whole run). */
export function controlHostRunner(client: ControlClient): HostRunner {
  return hostRunnerOf((request) => controlStepEvents(client, request));
}

/** The host names of the agents attached to `kumi serve` now. */
export function attachedHosts(client: ControlClient, socketPath: string): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    client.ListAgents({}, { deadline: Date.now() + 10_000 }, (error: ServiceError | null, result?: ListAgentsResponse__Output) =>
      error || !result ? reject(error ? controlCallError(error, socketPath) : new Error('empty answer from the coordinator')) : resolve(result.agents.map((agent) => agent.hostName)),
    );
  });
}
