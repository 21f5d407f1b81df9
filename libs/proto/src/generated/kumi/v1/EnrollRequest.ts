// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface EnrollRequest {
  /**
   * Bootstrap token "id.secret" ([a-z0-9]{6}.[a-z0-9]{16}). Secret: never logged.
   */
  'token'?: (string);
  /**
   * PKCS#10 certificate request, PEM, for a key the agent made itself (the agent makes
   * ECDSA P-256). Key policy: ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048
   * bits; any other key is refused with INVALID_ARGUMENT before the token is used, so
   * the token still works with an acceptable key.
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
   * PKCS#10 certificate request, PEM, for a key the agent made itself (the agent makes
   * ECDSA P-256). Key policy: ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048
   * bits; any other key is refused with INVALID_ARGUMENT before the token is used, so
   * the token still works with an acceptable key.
   */
  'csrPem': (string);
  /**
   * The host name the certificate is for (becomes its CN).
   */
  'hostName': (string);
}
