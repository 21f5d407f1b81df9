// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface RunStepRequest {
  'host'?: (string);
  'step'?: (string);
  'paramsJson'?: (string);
  'secrets'?: ({[key: string]: string});
  'dryRun'?: (boolean);
}

export interface RunStepRequest__Output {
  'host': (string);
  'step': (string);
  'paramsJson': (string);
  'secrets': ({[key: string]: string});
  'dryRun': (boolean);
}
