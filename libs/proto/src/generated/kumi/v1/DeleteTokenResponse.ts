// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface DeleteTokenResponse {
  /**
   * False when no token had that id.
   */
  'deleted'?: (boolean);
}

export interface DeleteTokenResponse__Output {
  /**
   * False when no token had that id.
   */
  'deleted': (boolean);
}
