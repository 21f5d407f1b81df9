import { status } from '@grpc/grpc-js';
import type { BackoffPolicy } from '../session/backoff';

/**
 * Retry policy of enrollment: full jitter from 0.5 s doubling to a 10 s cap. A herd of
 * booting hosts told "busy" spreads out over the next seconds instead of coming back
 * together; the cap keeps a host from waiting long once the coordinator has room.
 */
export const ENROLL_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };

/**
 * Statuses that mean "this request will never be accepted as it is": a bad or spent
 * token, a host name or key the coordinator refuses. Enrollment ends with the message.
 */
const PERMANENT = new Set<number>([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.UNIMPLEMENTED,
]);

/**
 * Whether an Enroll failure with this gRPC status is worth retrying. Everything that is
 * not a refusal of the request itself is: the coordinator busy (UNAVAILABLE,
 * RESOURCE_EXHAUSTED), slow (DEADLINE_EXCEEDED), interrupted (ABORTED, CANCELLED), or a
 * proxy or load balancer in between failing (INTERNAL, UNKNOWN, DATA_LOSS). A herd of
 * booting hosts must never make an agent give up.
 */
export function isTransientEnrollStatus(code: number | undefined): boolean {
  return code === undefined || !PERMANENT.has(code);
}
