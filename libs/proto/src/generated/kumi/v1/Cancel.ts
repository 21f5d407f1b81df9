// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface Cancel {
  'runId'?: (string);
}

export interface Cancel__Output {
  'runId': (string);
}
