// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { AgentInfo as _kumi_v1_AgentInfo, AgentInfo__Output as _kumi_v1_AgentInfo__Output } from '../../kumi/v1/AgentInfo';

export interface ListAgentsResponse {
  'agents'?: (_kumi_v1_AgentInfo)[];
}

export interface ListAgentsResponse__Output {
  'agents': (_kumi_v1_AgentInfo__Output)[];
}
