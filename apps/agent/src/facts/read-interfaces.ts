import type os from 'node:os';
import type { NetInterface } from '@kumi/steps';
import type { FactFiles } from './fact-files';

const IFF_UP = 0x1;
/** operstate values (RFC 2863) that say the link is not passing traffic. */
const LINK_DOWN_STATES = new Set(['down', 'lowerlayerdown', 'notpresent', 'dormant', 'testing']);

/**
 * Every interface the kernel knows (/sys/class/net, so also those without addresses) merged
 * with Node's address list for the CIDRs. Without /sys (some containers) the address list
 * alone is used.
 */
export async function readInterfaces(files: FactFiles, addressLists: NodeJS.Dict<os.NetworkInterfaceInfo[]>): Promise<NetInterface[]> {
  const sysNames = await files.list('/sys/class/net');
  const names = [...new Set([...sysNames, ...Object.keys(addressLists)])].sort();
  return Promise.all(
    names.map(async (name): Promise<NetInterface> => {
      const infos = addressLists[name] ?? [];
      const sysDir = `/sys/class/net/${name}`;
      const [address, flags, operstate, isVirtual] = await Promise.all([
        files.read(`${sysDir}/address`),
        files.read(`${sysDir}/flags`),
        files.read(`${sysDir}/operstate`),
        files.exists(`/sys/devices/virtual/net/${name}`),
      ]);
      return {
        name,
        mac: (address?.trim() ?? infos[0]?.mac ?? '').toLowerCase(),
        addresses: infos.map((info) => info.cidr).filter((cidr): cidr is string => cidr !== null),
        up: isUp(operstate?.trim(), flags, infos.length > 0),
        // A software device (loopback, bridge, veth, VXLAN…): never a NIC whose MAC or
        // address identifies the host.
        virtual: isVirtual || (sysNames.length === 0 && infos.some((info) => info.internal)),
      };
    }),
  );
}

/**
 * "up" is the link state when the kernel knows it; loopback and many software devices
 * report "unknown", and then the administrative IFF_UP flag decides.
 */
function isUp(operstate: string | undefined, flags: string | undefined, hasAddresses: boolean): boolean {
  if (operstate === 'up') return true;
  if (operstate !== undefined && LINK_DOWN_STATES.has(operstate)) return false;
  if (flags !== undefined) return (Number.parseInt(flags.trim(), 16) & IFF_UP) !== 0;
  return hasAddresses;
}
