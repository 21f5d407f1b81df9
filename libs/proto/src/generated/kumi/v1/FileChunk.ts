// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One piece of a FetchFile's answer. The chunks of a fetch come in order with
 * offset = the bytes sent before; the last one has last = true, the file's size and its
 * SHA-256, which the coordinator checks against what it received.
 */
export interface FileChunk {
  'fetchId'?: (string);
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'last'?: (boolean);
  /**
   * last only: hex SHA-256 of the whole file and its size in bytes.
   */
  'sha256'?: (string);
  'totalBytes'?: (number | string | Long);
  /**
   * Set (with last) when the agent cannot send the file: why, e.g. "no such file".
   */
  'error'?: (string);
}

/**
 * One piece of a FetchFile's answer. The chunks of a fetch come in order with
 * offset = the bytes sent before; the last one has last = true, the file's size and its
 * SHA-256, which the coordinator checks against what it received.
 */
export interface FileChunk__Output {
  'fetchId': (string);
  'offset': (number);
  'data': (Buffer);
  'last': (boolean);
  /**
   * last only: hex SHA-256 of the whole file and its size in bytes.
   */
  'sha256': (string);
  'totalBytes': (number);
  /**
   * Set (with last) when the agent cannot send the file: why, e.g. "no such file".
   */
  'error': (string);
}
