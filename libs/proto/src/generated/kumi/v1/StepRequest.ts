// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface StepRequest {
  /**
   * Unique per run of one step on one host; event sequence numbers count within it.
   */
  'runId'?: (string);
  /**
   * A step id of the agent's compiled-in catalogue, e.g. "sysctl.kubernetes".
   */
  'step'?: (string);
  /**
   * Parameters as a JSON object; the agent checks them against the step's schema.
   */
  'paramsJson'?: (string);
  /**
   * Secret parameters by name. Never logged, never echoed in events or errors.
   */
  'secrets'?: ({[key: string]: string});
  /**
   * Plan only: report what would be done, change nothing.
   */
  'dryRun'?: (boolean);
}

export interface StepRequest__Output {
  /**
   * Unique per run of one step on one host; event sequence numbers count within it.
   */
  'runId': (string);
  /**
   * A step id of the agent's compiled-in catalogue, e.g. "sysctl.kubernetes".
   */
  'step': (string);
  /**
   * Parameters as a JSON object; the agent checks them against the step's schema.
   */
  'paramsJson': (string);
  /**
   * Secret parameters by name. Never logged, never echoed in events or errors.
   */
  'secrets': ({[key: string]: string});
  /**
   * Plan only: report what would be done, change nothing.
   */
  'dryRun': (boolean);
}
