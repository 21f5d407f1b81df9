// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { EventKind as _kumi_v1_EventKind, EventKind__Output as _kumi_v1_EventKind__Output } from '../../kumi/v1/EventKind';
import type { OutputStream as _kumi_v1_OutputStream, OutputStream__Output as _kumi_v1_OutputStream__Output } from '../../kumi/v1/OutputStream';
import type { StepError as _kumi_v1_StepError, StepError__Output as _kumi_v1_StepError__Output } from '../../kumi/v1/StepError';
import type { Long } from '@grpc/proto-loader';

export interface StepEvent {
  'runId'?: (string);
  /**
   * 1, 2, 3, ... within run_id, without gaps.
   */
  'seq'?: (number | string | Long);
  'host'?: (string);
  'step'?: (string);
  'kind'?: (_kumi_v1_EventKind);
  /**
   * Milliseconds since the Unix epoch, on the agent's clock.
   */
  'timeUnixMs'?: (number | string | Long);
  /**
   * OUTPUT: one line. PROGRESS: what is happening. NOOP: why nothing was needed.
   * START: the step's title. Secrets are redacted before they get here.
   */
  'text'?: (string);
  'stream'?: (_kumi_v1_OutputStream);
  /**
   * DONE and NOOP: the step's typed output values as a JSON object.
   */
  'outputsJson'?: (string);
  /**
   * FAILED only.
   */
  'error'?: (_kumi_v1_StepError | null);
  /**
   * PLANNED: the actions a dry run would take, one line each.
   */
  'planned'?: (string)[];
}

export interface StepEvent__Output {
  'runId': (string);
  /**
   * 1, 2, 3, ... within run_id, without gaps.
   */
  'seq': (number);
  'host': (string);
  'step': (string);
  'kind': (_kumi_v1_EventKind__Output);
  /**
   * Milliseconds since the Unix epoch, on the agent's clock.
   */
  'timeUnixMs': (number);
  /**
   * OUTPUT: one line. PROGRESS: what is happening. NOOP: why nothing was needed.
   * START: the step's title. Secrets are redacted before they get here.
   */
  'text': (string);
  'stream': (_kumi_v1_OutputStream__Output);
  /**
   * DONE and NOOP: the step's typed output values as a JSON object.
   */
  'outputsJson': (string);
  /**
   * FAILED only.
   */
  'error': (_kumi_v1_StepError__Output | null);
  /**
   * PLANNED: the actions a dry run would take, one line each.
   */
  'planned': (string)[];
}
