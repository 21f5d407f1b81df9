// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface OsInfo {
  /**
   * os-release ID, e.g. "debian", "ubuntu", "rocky".
   */
  'id'?: (string);
  /**
   * os-release VERSION_ID, e.g. "12".
   */
  'version'?: (string);
  /**
   * "debian" or "rhel" when supported, else "unknown".
   */
  'family'?: (string);
  'prettyName'?: (string);
  'codename'?: (string);
}

export interface OsInfo__Output {
  /**
   * os-release ID, e.g. "debian", "ubuntu", "rocky".
   */
  'id': (string);
  /**
   * os-release VERSION_ID, e.g. "12".
   */
  'version': (string);
  /**
   * "debian" or "rhel" when supported, else "unknown".
   */
  'family': (string);
  'prettyName': (string);
  'codename': (string);
}
