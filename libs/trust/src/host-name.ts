const DNS_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Longest DNS name (RFC 1035). */
const MAX_HOST_NAME_LENGTH = 253;

/**
 * Whether `name` can be a host's identity in the cluster: a lower-case DNS name (labels
 * of a-z, 0-9 and inner "-", at most 253 characters). It becomes the CN of the host's
 * client certificate, so agent and coordinator must agree on it.
 */
export function isValidHostName(name: string): boolean {
  return name.length <= MAX_HOST_NAME_LENGTH && DNS_NAME.test(name);
}
