import { existsSync } from 'node:fs';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { type ControlClient, kumiV1 } from '@kumi/proto';
import { CliError, usageError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

/** A client of the Control service on the cluster's unix socket. */
export function openControlClient(socketPath: string): ControlClient {
  if (!existsSync(socketPath)) throw notRunning(socketPath);
  const Control = kumiV1().Control;
  return new Control(`unix:${socketPath}`, credentials.createInsecure());
}

function notRunning(socketPath: string): CliError {
  return new CliError(`kumi serve is not running for this cluster (no control socket at ${socketPath}): start it with \`kumi serve\``, ExitCode.UNAVAILABLE);
}

/** Turns a gRPC error from the Control service into a CliError with the right exit code. */
export function controlCallError(error: ServiceError, socketPath: string): CliError {
  switch (error.code) {
    case status.UNAVAILABLE:
      return notRunning(socketPath);
    case status.INVALID_ARGUMENT:
      return usageError(error.details);
    case status.FAILED_PRECONDITION:
      return new CliError(error.details, ExitCode.UNAVAILABLE);
    default:
      return new CliError(`the coordinator answered ${status[error.code] ?? error.code}: ${error.details}`, ExitCode.FAILURE);
  }
}
