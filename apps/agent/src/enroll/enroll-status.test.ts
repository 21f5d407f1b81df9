import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { isTransientEnrollStatus } from './enroll-status';

describe('isTransientEnrollStatus', () => {
  it('retries a busy, slow, interrupted or proxied coordinator', () => {
    const transient = [status.UNAVAILABLE, status.RESOURCE_EXHAUSTED, status.DEADLINE_EXCEEDED, status.ABORTED, status.CANCELLED, status.INTERNAL, status.UNKNOWN, status.DATA_LOSS, undefined];
    expect(transient.filter((code) => !isTransientEnrollStatus(code))).toEqual([]);
  });

  it('ends enrollment on a refusal of the request itself', () => {
    const permanent = [status.INVALID_ARGUMENT, status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.FAILED_PRECONDITION, status.UNIMPLEMENTED];
    expect(permanent.filter((code) => isTransientEnrollStatus(code))).toEqual([]);
  });
});
