/** Splits a validated "host:port" (IPv6 in brackets) into its parts. */
export function splitHostPort(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(':');
  const host = address.slice(0, index).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(index + 1)) };
}
