// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { ErrorCode as _kumi_v1_ErrorCode, ErrorCode__Output as _kumi_v1_ErrorCode__Output } from '../../kumi/v1/ErrorCode';

export interface StepError {
  'code'?: (_kumi_v1_ErrorCode);
  'message'?: (string);
  /**
   * COMMAND_FAILED: the command's exit code, -1 when it could not start or was killed.
   */
  'exitCode'?: (number);
  /**
   * COMMAND_FAILED: the last lines of the command's standard error.
   */
  'stderrTail'?: (string);
  /**
   * COMMAND_FAILED: the command line (never holds secrets: they travel by stdin or file).
   */
  'command'?: (string);
}

export interface StepError__Output {
  'code': (_kumi_v1_ErrorCode__Output);
  'message': (string);
  /**
   * COMMAND_FAILED: the command's exit code, -1 when it could not start or was killed.
   */
  'exitCode': (number);
  /**
   * COMMAND_FAILED: the last lines of the command's standard error.
   */
  'stderrTail': (string);
  /**
   * COMMAND_FAILED: the command line (never holds secrets: they travel by stdin or file).
   */
  'command': (string);
}
