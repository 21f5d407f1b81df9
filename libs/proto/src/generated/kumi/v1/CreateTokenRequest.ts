// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateTokenRequest {
  /**
   * Empty: any host may enroll with the token.
   */
  'host'?: (string);
  'ttlMs'?: (number | string | Long);
}

export interface CreateTokenRequest__Output {
  /**
   * Empty: any host may enroll with the token.
   */
  'host': (string);
  'ttlMs': (number);
}
