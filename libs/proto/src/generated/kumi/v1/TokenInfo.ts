// Original file: libs/proto/proto/kumi/v1/kumi.proto


/**
 * A bootstrap token as `kumi token list` shows it: never its secret nor the secret's hash.
 */
export interface TokenInfo {
  'id'?: (string);
  'createdAt'?: (string);
  'expiresAt'?: (string);
  /**
   * Only this host may enroll with the token; empty: any host.
   */
  'host'?: (string);
  /**
   * Empty while unused.
   */
  'usedAt'?: (string);
  'usedBy'?: (string);
}

/**
 * A bootstrap token as `kumi token list` shows it: never its secret nor the secret's hash.
 */
export interface TokenInfo__Output {
  'id': (string);
  'createdAt': (string);
  'expiresAt': (string);
  /**
   * Only this host may enroll with the token; empty: any host.
   */
  'host': (string);
  /**
   * Empty while unused.
   */
  'usedAt': (string);
  'usedBy': (string);
}
