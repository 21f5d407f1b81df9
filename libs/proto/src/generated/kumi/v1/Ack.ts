// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Ack tells the agent that every event of run_id up to and including seq arrived, so
 * it can drop them from its outbox.
 */
export interface Ack {
  'runId'?: (string);
  'seq'?: (number | string | Long);
}

/**
 * Ack tells the agent that every event of run_id up to and including seq arrived, so
 * it can drop them from its outbox.
 */
export interface Ack__Output {
  'runId': (string);
  'seq': (number);
}
