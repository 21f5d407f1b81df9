// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Facts as _kumi_v1_Facts, Facts__Output as _kumi_v1_Facts__Output } from '../../kumi/v1/Facts';
import type { Long } from '@grpc/proto-loader';

export interface AgentInfo {
  'hostName'?: (string);
  'agentVersion'?: (string);
  'peerAddress'?: (string);
  'attachedSinceUnixMs'?: (number | string | Long);
  'facts'?: (_kumi_v1_Facts | null);
  'busyRunId'?: (string);
}

export interface AgentInfo__Output {
  'hostName': (string);
  'agentVersion': (string);
  'peerAddress': (string);
  'attachedSinceUnixMs': (number);
  'facts': (_kumi_v1_Facts__Output | null);
  'busyRunId': (string);
}
