// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { TokenInfo as _kumi_v1_TokenInfo, TokenInfo__Output as _kumi_v1_TokenInfo__Output } from '../../kumi/v1/TokenInfo';

export interface CreateTokenResponse {
  'record'?: (_kumi_v1_TokenInfo | null);
  /**
   * "id.secret", shown once by the caller. Secret: never logged.
   */
  'token'?: (string);
}

export interface CreateTokenResponse__Output {
  'record': (_kumi_v1_TokenInfo__Output | null);
  /**
   * "id.secret", shown once by the caller. Secret: never logged.
   */
  'token': (string);
}
