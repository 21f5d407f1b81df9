// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface ListTokensRequest {
}

export interface ListTokensRequest__Output {
}
