import type { HostFacts } from '../facts';

/** Facts of a Debian 12 host, for step tests. */
export const debianFacts: HostFacts = {
  hostName: 'cp1',
  os: { id: 'debian', version: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' },
  kernel: '6.1.0-26-amd64',
  arch: 'amd64',
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  interfaces: [{ name: 'eth0', mac: '52:54:00:00:00:11', addresses: ['192.0.2.11/24'], up: true, virtual: false }],
  swap: { totalBytes: 0, usedBytes: 0, devices: [] },
  initSystem: 'systemd',
  packageManager: 'apt',
  firewall: 'nftables',
  cgroupVersion: 2,
  productUuid: '00000000-0000-4000-8000-000000000011',
  defaultIpv4: '192.0.2.11',
};

/** Facts of a Rocky Linux 9 host, for step tests. */
export const rhelFacts: HostFacts = {
  ...debianFacts,
  hostName: 'cp2',
  os: { id: 'rocky', version: '9.4', family: 'rhel', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', codename: '' },
  kernel: '5.14.0-427.13.1.el9_4.x86_64',
  arch: 'x86_64',
  packageManager: 'dnf',
  firewall: 'firewalld',
  productUuid: '00000000-0000-4000-8000-000000000012',
  defaultIpv4: '192.0.2.12',
};

/** Both supported families, for tables that must hold on each. */
export const familyFacts: readonly HostFacts[] = [debianFacts, rhelFacts];
