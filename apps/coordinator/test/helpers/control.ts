import type { ServiceError } from '@grpc/grpc-js';
import type { RunStepRequest, StepEvent__Output } from '@kumi/proto';
import { openControlClient } from '../../src/client/control-client';

/** A RunStep call over the control socket that collects its events. */
export function runStep(socketPath: string, request: RunStepRequest) {
  const client = openControlClient(socketPath);
  const call = client.RunStep(request);
  const events: StepEvent__Output[] = [];
  const done = new Promise<{ events: StepEvent__Output[]; error?: ServiceError }>((resolve) => {
    call.on('data', (event: StepEvent__Output) => events.push(event));
    call.on('end', () => {
      client.close();
      resolve({ events });
    });
    call.on('error', (error: ServiceError) => {
      client.close();
      resolve({ events, error });
    });
  });
  return { events, done, cancel: () => call.cancel() };
}
