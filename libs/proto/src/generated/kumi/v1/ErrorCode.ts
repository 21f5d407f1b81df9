// Original file: libs/proto/proto/kumi/v1/kumi.proto

export const ErrorCode = {
  ERROR_CODE_UNSPECIFIED: 'ERROR_CODE_UNSPECIFIED',
  /**
   * The agent is already running another step.
   */
  ERROR_CODE_LOCKED: 'ERROR_CODE_LOCKED',
  ERROR_CODE_UNKNOWN_STEP: 'ERROR_CODE_UNKNOWN_STEP',
  ERROR_CODE_INVALID_PARAMS: 'ERROR_CODE_INVALID_PARAMS',
  /**
   * Reading the host's state failed.
   */
  ERROR_CODE_CHECK_FAILED: 'ERROR_CODE_CHECK_FAILED',
  /**
   * A planned command exited non-zero or could not start.
   */
  ERROR_CODE_COMMAND_FAILED: 'ERROR_CODE_COMMAND_FAILED',
  ERROR_CODE_CANCELLED: 'ERROR_CODE_CANCELLED',
  ERROR_CODE_TIMEOUT: 'ERROR_CODE_TIMEOUT',
  /**
   * The agent stopped (crash, restart) while the step ran.
   */
  ERROR_CODE_INTERRUPTED: 'ERROR_CODE_INTERRUPTED',
  /**
   * The step does not support this host (OS family, init system, ...).
   */
  ERROR_CODE_UNSUPPORTED_HOST: 'ERROR_CODE_UNSUPPORTED_HOST',
  /**
   * The host is not attached to the coordinator.
   */
  ERROR_CODE_NOT_ATTACHED: 'ERROR_CODE_NOT_ATTACHED',
  ERROR_CODE_INTERNAL: 'ERROR_CODE_INTERNAL',
  /**
   * A file write or removal failed.
   */
  ERROR_CODE_FILE_FAILED: 'ERROR_CODE_FILE_FAILED',
} as const;

export type ErrorCode =
  | 'ERROR_CODE_UNSPECIFIED'
  | 0
  /**
   * The agent is already running another step.
   */
  | 'ERROR_CODE_LOCKED'
  | 1
  | 'ERROR_CODE_UNKNOWN_STEP'
  | 2
  | 'ERROR_CODE_INVALID_PARAMS'
  | 3
  /**
   * Reading the host's state failed.
   */
  | 'ERROR_CODE_CHECK_FAILED'
  | 4
  /**
   * A planned command exited non-zero or could not start.
   */
  | 'ERROR_CODE_COMMAND_FAILED'
  | 5
  | 'ERROR_CODE_CANCELLED'
  | 6
  | 'ERROR_CODE_TIMEOUT'
  | 7
  /**
   * The agent stopped (crash, restart) while the step ran.
   */
  | 'ERROR_CODE_INTERRUPTED'
  | 8
  /**
   * The step does not support this host (OS family, init system, ...).
   */
  | 'ERROR_CODE_UNSUPPORTED_HOST'
  | 9
  /**
   * The host is not attached to the coordinator.
   */
  | 'ERROR_CODE_NOT_ATTACHED'
  | 10
  | 'ERROR_CODE_INTERNAL'
  | 11
  /**
   * A file write or removal failed.
   */
  | 'ERROR_CODE_FILE_FAILED'
  | 12

export type ErrorCode__Output = typeof ErrorCode[keyof typeof ErrorCode]
