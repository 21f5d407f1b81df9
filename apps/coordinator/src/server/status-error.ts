import { Metadata, type ServiceError, type status } from '@grpc/grpc-js';

/** A gRPC error with a status code and a message that names the problem and the fix. */
export function statusError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}
