// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface DeleteTokenRequest {
  'id'?: (string);
}

export interface DeleteTokenRequest__Output {
  'id': (string);
}
