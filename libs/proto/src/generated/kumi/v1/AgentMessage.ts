// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Hello as _kumi_v1_Hello, Hello__Output as _kumi_v1_Hello__Output } from '../../kumi/v1/Hello';
import type { StepEvent as _kumi_v1_StepEvent, StepEvent__Output as _kumi_v1_StepEvent__Output } from '../../kumi/v1/StepEvent';

export interface AgentMessage {
  'hello'?: (_kumi_v1_Hello | null);
  'event'?: (_kumi_v1_StepEvent | null);
  'body'?: "hello"|"event";
}

export interface AgentMessage__Output {
  'hello'?: (_kumi_v1_Hello__Output | null);
  'event'?: (_kumi_v1_StepEvent__Output | null);
  'body'?: "hello"|"event";
}
