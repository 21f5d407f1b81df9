/** An IPv4 network: its first address as a 32-bit number and its prefix length. */
export interface Ipv4Network {
  base: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses dotted-quad IPv4 ("192.0.2.11") into a 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part))) return undefined;
  return parts.reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Formats a 32-bit number as dotted-quad IPv4. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function hostBits(prefix: number): number {
  return 2 ** (32 - prefix);
}

/**
 * Parses "10.244.0.0/16". Returns the network, or a reason when the text is not a CIDR
 * or has host bits set (the reason then names the network the writer probably meant).
 */
export function parseCidr(text: string): { network: Ipv4Network } | { reason: string } {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const address = match ? parseIpv4(match[1] as string) : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) {
    return { reason: `"${text}" is not an IPv4 CIDR like 10.244.0.0/16` };
  }
  const base = address - (address % hostBits(prefix));
  if (base !== address) {
    return { reason: `"${text}" has host bits set: the network is ${formatIpv4(base)}/${prefix}` };
  }
  return { network: { base, prefix } };
}

/** The CIDR text of a network. */
export function formatCidr(network: Ipv4Network): string {
  return `${formatIpv4(network.base)}/${network.prefix}`;
}

/** Last address of a network (its broadcast address for prefixes below 31). */
export function lastAddress(network: Ipv4Network): number {
  return network.base + hostBits(network.prefix) - 1;
}

/** Whether the address is inside the network. */
export function containsAddress(network: Ipv4Network, address: number): boolean {
  return address >= network.base && address <= lastAddress(network);
}

/** Whether two networks share at least one address. */
export function networksOverlap(a: Ipv4Network, b: Ipv4Network): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** What an address is reserved for, when it cannot be a host's or a VIP's. */
export function reservedUse(address: number): string | undefined {
  const first = Math.floor(address / 2 ** 24);
  if (first === 0) return 'the "this network" range 0.0.0.0/8';
  if (first === 127) return 'loopback (127.0.0.0/8)';
  if (first >= 224 && first <= 239) return 'multicast (224.0.0.0/4)';
  if (first >= 240) return 'reserved (240.0.0.0/4)';
  return undefined;
}

/** Splits "host:port"; the port must be 1-65535. */
export function parseHostPort(text: string): { host: string; port: number } | { reason: string } {
  const match = /^([^:\s]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 1 && port <= 65535)) {
    return { reason: `"${text}" is not ADDRESS:PORT with a port from 1 to 65535, e.g. 192.0.2.100:6443` };
  }
  return { host: match[1] as string, port };
}
