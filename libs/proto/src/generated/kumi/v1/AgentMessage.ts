// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Hello as _kumi_v1_Hello, Hello__Output as _kumi_v1_Hello__Output } from '../../kumi/v1/Hello';
import type { StepEvent as _kumi_v1_StepEvent, StepEvent__Output as _kumi_v1_StepEvent__Output } from '../../kumi/v1/StepEvent';
import type { FileChunk as _kumi_v1_FileChunk, FileChunk__Output as _kumi_v1_FileChunk__Output } from '../../kumi/v1/FileChunk';

export interface AgentMessage {
  'hello'?: (_kumi_v1_Hello | null);
  'event'?: (_kumi_v1_StepEvent | null);
  /**
   * The answer to a FetchFile, in order.
   */
  'chunk'?: (_kumi_v1_FileChunk | null);
  'body'?: "hello"|"event"|"chunk";
}

export interface AgentMessage__Output {
  'hello'?: (_kumi_v1_Hello__Output | null);
  'event'?: (_kumi_v1_StepEvent__Output | null);
  /**
   * The answer to a FetchFile, in order.
   */
  'chunk'?: (_kumi_v1_FileChunk__Output | null);
  'body'?: "hello"|"event"|"chunk";
}
