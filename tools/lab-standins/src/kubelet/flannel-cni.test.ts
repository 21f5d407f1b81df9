import { describe, expect, it } from 'vitest';
import { cidrNetwork, flannelDelegate, formatSubnetEnv, parseSubnetEnv } from './flannel-cni';
import { FLANNEL_CONFLIST } from './network';

const ENV = { network: '10.244.0.0/16', subnet: '10.244.1.1/24', mtu: 1450, ipMasq: true };

describe("flannel's CNI plugin, as the lab runs it (bridge delegate)", () => {
  it('reads back the subnet.env it writes, and names a missing key', () => {
    expect(parseSubnetEnv(formatSubnetEnv(ENV))).toEqual(ENV);
    expect(() => parseSubnetEnv('FLANNEL_NETWORK=10.244.0.0/16\n')).toThrow(/no FLANNEL_SUBNET/);
  });

  it("builds flannel v0.26.7's delegate: bridge, gateway, MTU, no masquerade (flanneld does it), host-local over the node's subnet", () => {
    const [plugin] = FLANNEL_CONFLIST.plugins;
    expect(flannelDelegate(plugin!, FLANNEL_CONFLIST, ENV)).toEqual({
      name: 'cbr0',
      cniVersion: '0.3.1',
      type: 'bridge',
      hairpinMode: true,
      isDefaultGateway: true,
      isGateway: true,
      ipMasq: false,
      mtu: 1450,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] },
    });
  });

  it("keeps the delegate's own choices and the network's IPAM routes", () => {
    const delegate = flannelDelegate({ type: 'flannel', delegate: { type: 'ipvlan', mtu: 1400, ipMasq: true }, ipam: { routes: [{ dst: '0.0.0.0/0' }] } }, { name: 'n', cniVersion: '1.0.0' }, { ...ENV, ipMasq: false });
    expect(delegate).toMatchObject({ type: 'ipvlan', mtu: 1400, ipMasq: true, cniVersion: '1.0.0', ipam: { routes: [{ dst: '0.0.0.0/0' }, { dst: '10.244.0.0/16' }] } });
    expect(delegate).not.toHaveProperty('isGateway');
  });

  it("takes Go's net.ParseCIDR network of a CIDR", () => {
    expect(cidrNetwork('10.244.1.1/24')).toBe('10.244.1.0/24');
    expect(cidrNetwork('10.244.255.77/16')).toBe('10.244.0.0/16');
    expect(() => cidrNetwork('10.244.1.1')).toThrow(/not an IPv4 CIDR/);
  });
});
