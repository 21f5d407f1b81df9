// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { TokenInfo as _kumi_v1_TokenInfo, TokenInfo__Output as _kumi_v1_TokenInfo__Output } from '../../kumi/v1/TokenInfo';

export interface ListTokensResponse {
  'tokens'?: (_kumi_v1_TokenInfo)[];
}

export interface ListTokensResponse__Output {
  'tokens': (_kumi_v1_TokenInfo__Output)[];
}
