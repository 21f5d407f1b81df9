// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface EnrollRequest {
  /**
   * Bootstrap token "id.secret" ([a-z0-9]{6}.[a-z0-9]{16}). Secret: never logged.
   */
  'token'?: (string);
  /**
   * PKCS#10 certificate request, PEM, for the agent's own ECDSA P-256 key.
   */
  'csrPem'?: (string);
  /**
   * The host name the certificate is for (becomes its CN).
   */
  'hostName'?: (string);
}

export interface EnrollRequest__Output {
  /**
   * Bootstrap token "id.secret" ([a-z0-9]{6}.[a-z0-9]{16}). Secret: never logged.
   */
  'token': (string);
  /**
   * PKCS#10 certificate request, PEM, for the agent's own ECDSA P-256 key.
   */
  'csrPem': (string);
  /**
   * The host name the certificate is for (becomes its CN).
   */
  'hostName': (string);
}
