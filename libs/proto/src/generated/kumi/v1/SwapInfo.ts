// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Long } from '@grpc/proto-loader';

export interface SwapInfo {
  'totalBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  /**
   * Active swap devices or files, as listed by /proc/swaps.
   */
  'devices'?: (string)[];
}

export interface SwapInfo__Output {
  'totalBytes': (number);
  'usedBytes': (number);
  /**
   * Active swap devices or files, as listed by /proc/swaps.
   */
  'devices': (string)[];
}
