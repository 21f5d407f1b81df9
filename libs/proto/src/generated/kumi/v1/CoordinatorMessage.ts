// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { StepRequest as _kumi_v1_StepRequest, StepRequest__Output as _kumi_v1_StepRequest__Output } from '../../kumi/v1/StepRequest';
import type { Cancel as _kumi_v1_Cancel, Cancel__Output as _kumi_v1_Cancel__Output } from '../../kumi/v1/Cancel';
import type { Ack as _kumi_v1_Ack, Ack__Output as _kumi_v1_Ack__Output } from '../../kumi/v1/Ack';
import type { FetchFile as _kumi_v1_FetchFile, FetchFile__Output as _kumi_v1_FetchFile__Output } from '../../kumi/v1/FetchFile';

export interface CoordinatorMessage {
  'run'?: (_kumi_v1_StepRequest | null);
  'cancel'?: (_kumi_v1_Cancel | null);
  'ack'?: (_kumi_v1_Ack | null);
  'fetch'?: (_kumi_v1_FetchFile | null);
  'body'?: "run"|"cancel"|"ack"|"fetch";
}

export interface CoordinatorMessage__Output {
  'run'?: (_kumi_v1_StepRequest__Output | null);
  'cancel'?: (_kumi_v1_Cancel__Output | null);
  'ack'?: (_kumi_v1_Ack__Output | null);
  'fetch'?: (_kumi_v1_FetchFile__Output | null);
  'body'?: "run"|"cancel"|"ack"|"fetch";
}
