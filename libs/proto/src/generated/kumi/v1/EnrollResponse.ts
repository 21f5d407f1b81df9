// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface EnrollResponse {
  /**
   * The agent's client certificate, PEM, signed by the cluster CA.
   */
  'certificatePem'?: (string);
  /**
   * The cluster CA certificate, PEM; the agent re-checks it against its pin.
   */
  'caPem'?: (string);
}

export interface EnrollResponse__Output {
  /**
   * The agent's client certificate, PEM, signed by the cluster CA.
   */
  'certificatePem': (string);
  /**
   * The cluster CA certificate, PEM; the agent re-checks it against its pin.
   */
  'caPem': (string);
}
