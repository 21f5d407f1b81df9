// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface ListAgentsRequest {
}

export interface ListAgentsRequest__Output {
}
