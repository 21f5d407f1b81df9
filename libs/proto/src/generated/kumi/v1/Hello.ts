// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Facts as _kumi_v1_Facts, Facts__Output as _kumi_v1_Facts__Output } from '../../kumi/v1/Facts';

/**
 * Hello is the first message of every Attach stream.
 */
export interface Hello {
  'hostName'?: (string);
  'agentVersion'?: (string);
  'facts'?: (_kumi_v1_Facts | null);
  /**
   * The run in hand, if the agent is busy with a step from before a reconnect.
   */
  'busyRunId'?: (string);
}

/**
 * Hello is the first message of every Attach stream.
 */
export interface Hello__Output {
  'hostName': (string);
  'agentVersion': (string);
  'facts': (_kumi_v1_Facts__Output | null);
  /**
   * The run in hand, if the agent is busy with a step from before a reconnect.
   */
  'busyRunId': (string);
}
