import type { NetInterface } from '../../facts';
import { ipv4ToNumber } from './params';

/** An interface and its address whose subnet holds a given IPv4 address. */
export interface SubnetMatch {
  interfaceName: string;
  /** The host's own address on that subnet, e.g. "192.0.2.21". */
  address: string;
  prefixLength: number;
}

/** Whether `address` lies in `network/prefixLength`. */
export function inSubnet(address: string, network: string, prefixLength: number): boolean {
  if (prefixLength === 0) return true;
  const size = 2 ** (32 - prefixLength);
  return Math.floor(ipv4ToNumber(address) / size) === Math.floor(ipv4ToNumber(network) / size);
}

/**
 * The interface holding an address in the same subnet as `target` (the VIP), skipping
 * addresses equal to the target itself (the VIP may already sit on the interface as a /32
 * or with its subnet's prefix). Up, non-virtual interfaces win over others.
 */
export function interfaceForSubnetOf(target: string, interfaces: readonly NetInterface[]): SubnetMatch | undefined {
  const ranked = [...interfaces].sort((a, b) => rank(a) - rank(b));
  for (const iface of ranked) {
    for (const cidr of iface.addresses) {
      const [address, prefix] = cidr.split('/');
      if (address === undefined || prefix === undefined || address.includes(':')) continue;
      const prefixLength = Number(prefix);
      if (address === target || prefixLength === 32) continue;
      if (inSubnet(target, address, prefixLength)) return { interfaceName: iface.name, address, prefixLength };
    }
  }
  return undefined;
}

function rank(iface: NetInterface): number {
  return (iface.up ? 0 : 2) + (iface.virtual ? 1 : 0);
}
