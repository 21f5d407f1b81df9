// Original file: libs/proto/proto/kumi/v1/kumi.proto


export interface NetInterface {
  'name'?: (string);
  'mac'?: (string);
  /**
   * Addresses in CIDR form, e.g. "192.0.2.11/24".
   */
  'addresses'?: (string)[];
  'up'?: (boolean);
  'virtual'?: (boolean);
}

export interface NetInterface__Output {
  'name': (string);
  'mac': (string);
  /**
   * Addresses in CIDR form, e.g. "192.0.2.11/24".
   */
  'addresses': (string)[];
  'up': (boolean);
  'virtual': (boolean);
}
