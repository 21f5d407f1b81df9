import type { ServiceError } from '@grpc/grpc-js';
import type { RunStepRequest, StepEvent__Output } from '@kumi/proto';
import { controlCallError, openControlClient } from './control-client';

/** How a RunStep call over the control socket ended. */
export interface RunStepResult {
  /** The last event: DONE, NOOP or FAILED when the step ended. */
  last?: StepEvent__Output;
  /** True when signal aborted the call (the coordinator then asks the agent to cancel). */
  aborted: boolean;
}

/**
 * Runs one step through `kumi serve`'s control socket and calls onEvent for each event
 * as it arrives. Rejects with a CliError (exit code per the gRPC status) when the call fails.
 */
export function runStepViaControl(
  socketPath: string,
  request: RunStepRequest,
  onEvent: (event: StepEvent__Output) => void,
  signal?: AbortSignal,
): Promise<RunStepResult> {
  const client = openControlClient(socketPath);
  const call = client.RunStep(request);
  let last: StepEvent__Output | undefined;
  const abort = () => call.cancel();
  signal?.addEventListener('abort', abort, { once: true });
  return new Promise<RunStepResult>((resolve, reject) => {
    call.on('data', (event: StepEvent__Output) => {
      last = event;
      onEvent(event);
    });
    call.on('end', () => resolve({ last, aborted: false }));
    call.on('error', (error: ServiceError) => {
      if (signal?.aborted) resolve({ last, aborted: true });
      else reject(controlCallError(error, socketPath));
    });
  }).finally(() => {
    signal?.removeEventListener('abort', abort);
    client.close();
  });
}
