import { describe, expect, it } from 'vitest';
import { departedPeerCommands, type VxlanPeer } from './flannel-vxlan';

// flanneld's EventRemoved (pkg/backend/vxlan/vxlan_network.go v0.26.7): a node that left loses
// its neighbour entry, its FDB entry and its route on flannel.1; the others keep theirs.
const master2: VxlanPeer = { subnet: '10.244.1.0/24', publicIp: '192.0.2.22', vtepMac: 'aa:aa:aa:aa:aa:02' };
const worker1: VxlanPeer = { subnet: '10.244.2.0/24', publicIp: '192.0.2.31', vtepMac: 'aa:aa:aa:aa:aa:31' };

describe('flannel.1 entries of departed nodes', () => {
  it('removes the neighbour, FDB entry and route of a node whose lease is gone, and nothing of the others', () => {
    const tables = {
      // As `ip -j neigh`, `bridge -j fdb` and `ip -j route` print them (bridge prints MACs lower-case).
      neighbours: [{ dst: '10.244.1.0', lladdr: 'aa:aa:aa:aa:aa:02' }, { dst: '10.244.2.0', lladdr: 'aa:aa:aa:aa:aa:31' }],
      fdb: [{ mac: 'aa:aa:aa:aa:aa:02', dst: '192.0.2.22' }, { mac: 'aa:aa:aa:aa:aa:31', dst: '192.0.2.31' }, { mac: '3a:00:00:00:00:01' }],
      routes: [{ dst: '10.244.1.0/24' }, { dst: '10.244.2.0/24' }, { dst: '10.244.0.0' }],
    };
    expect(departedPeerCommands([master2, worker1], tables)).toEqual([]);
    expect(departedPeerCommands([master2], tables)).toEqual([
      ['ip', 'neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'],
      ['bridge', 'fdb', 'del', 'aa:aa:aa:aa:aa:31', 'dev', 'flannel.1', 'dst', '192.0.2.31', 'self'],
      ['ip', 'route', 'del', '10.244.2.0/24', 'dev', 'flannel.1'],
    ]);
  });

  it('a node that came back with a new flannel.1 (new VtepMAC) loses only the old FDB entry', () => {
    const reborn = { ...worker1, vtepMac: 'bb:bb:bb:bb:bb:31' };
    const tables = { neighbours: [{ dst: '10.244.2.0', lladdr: 'bb:bb:bb:bb:bb:31' }], fdb: [{ mac: 'aa:aa:aa:aa:aa:31', dst: '192.0.2.31' }, { mac: 'bb:bb:bb:bb:bb:31', dst: '192.0.2.31' }], routes: [{ dst: '10.244.2.0/24' }] };
    expect(departedPeerCommands([reborn], tables)).toEqual([['bridge', 'fdb', 'del', 'aa:aa:aa:aa:aa:31', 'dev', 'flannel.1', 'dst', '192.0.2.31', 'self']]);
  });
});
