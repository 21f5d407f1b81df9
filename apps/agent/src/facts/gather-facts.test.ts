import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostFacts } from '@kumi/steps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import os from 'node:os';
import { parseNftTables } from './detect-host-software';
import { gatherFacts, hostFactSources, type FactSources } from './gather-facts';
import { osFamily, parseOsRelease } from './parse-os-release';
import { defaultRouteInterface } from './parse-proc';
import { toProtoFacts } from './to-proto-facts';

const ROCKY_OS_RELEASE = `NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
`;

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;

describe('fact parsers', () => {
  it('parses os-release and maps families', () => {
    expect(parseOsRelease(ROCKY_OS_RELEASE)).toEqual({ id: 'rocky', version: '9.4', family: 'rhel', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', codename: '' });
    expect(parseOsRelease('ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n')).toMatchObject({ family: 'debian', codename: 'noble' });
    expect(osFamily('alpine', '')).toBe('unknown');
    expect(parseOsRelease('')).toEqual({ id: '', version: '', family: 'unknown', prettyName: '', codename: '' });
  });

  it('parses routes and nft tables', () => {
    expect(defaultRouteInterface(ROUTE)).toBe('eth0');
    expect(defaultRouteInterface('Iface\tDestination\n')).toBeUndefined();
    expect(parseNftTables('table inet firewalld\ntable ip filter\n')).toEqual([
      { family: 'inet', name: 'firewalld' },
      { family: 'ip', name: 'filter' },
    ]);
  });
});

describe('gatherFacts', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kumi-agent-facts-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function put(path: string, content = ''): Promise<void> {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }

  function sources(overrides: Partial<FactSources> = {}): FactSources {
    return {
      root,
      hostName: 'cp1',
      kernel: '6.1.0-20-amd64',
      arch: 'x86_64',
      cpus: 4,
      networkInterfaces: {
        lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
        eth0: [
          { address: '192.0.2.11', netmask: '255.255.255.0', family: 'IPv4', mac: '52:54:00:aa:bb:cc', internal: false, cidr: '192.0.2.11/24' },
          { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '52:54:00:aa:bb:cc', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
        ],
      },
      memory: async () => ({ totalBytes: 8 * 1024 ** 3, swapTotalBytes: 4_194_304, swapUsedBytes: 1024 }),
      hardwareUuid: async () => 'ec2a-1234',
      nftTables: async () => undefined,
      ...overrides,
    };
  }

  it('maps a full RHEL-family host', async () => {
    await put('/etc/os-release', ROCKY_OS_RELEASE);
    await put('/proc/swaps', 'Filename Type Size Used Priority\n/dev/dm-1 partition 4096 0 -2\n/var/swap\\011file file 1024 0 -3\n');
    await put('/proc/net/route', ROUTE);
    await put('/run/systemd/system/.keep');
    await put('/usr/bin/dnf');
    await put('/run/firewalld.pid', '812\n');
    await put('/proc/812/comm', 'firewalld\n');
    await put('/sys/fs/cgroup/cgroup.controllers', 'cpu memory\n');
    await put('/sys/class/net/eth0/address', '52:54:00:AA:BB:CC\n');
    await put('/sys/class/net/eth0/flags', '0x1003\n');
    await put('/sys/class/net/eth0/operstate', 'up\n');
    await put('/sys/class/net/eth1/address', '52:54:00:dd:ee:ff\n');
    await put('/sys/class/net/eth1/flags', '0x1002\n');
    await put('/sys/class/net/eth1/operstate', 'down\n');
    // Administratively up, but no carrier: not usable, so not up.
    await put('/sys/class/net/eth2/address', '52:54:00:00:00:02\n');
    await put('/sys/class/net/eth2/flags', '0x1003\n');
    await put('/sys/class/net/eth2/operstate', 'lowerlayerdown\n');
    // Loopback reports operstate "unknown": IFF_UP decides.
    await put('/sys/class/net/lo/flags', '0x9\n');
    await put('/sys/class/net/lo/operstate', 'unknown\n');
    await put('/sys/devices/virtual/net/lo/.keep');

    const facts = await gatherFacts(sources());
    expect(facts).toEqual({
      hostName: 'cp1',
      os: { id: 'rocky', version: '9.4', family: 'rhel', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', codename: '' },
      kernel: '6.1.0-20-amd64',
      arch: 'x86_64',
      cpus: 4,
      memoryBytes: 8 * 1024 ** 3,
      interfaces: [
        { name: 'eth0', mac: '52:54:00:aa:bb:cc', addresses: ['192.0.2.11/24', 'fe80::1/64'], up: true, virtual: false },
        { name: 'eth1', mac: '52:54:00:dd:ee:ff', addresses: [], up: false, virtual: false },
        { name: 'eth2', mac: '52:54:00:00:00:02', addresses: [], up: false, virtual: false },
        { name: 'lo', mac: '00:00:00:00:00:00', addresses: ['127.0.0.1/8'], up: true, virtual: true },
      ],
      swap: { totalBytes: 4_194_304, usedBytes: 1024, devices: ['/dev/dm-1', '/var/swap\tfile'] },
      initSystem: 'systemd',
      packageManager: 'dnf',
      firewall: 'firewalld',
      cgroupVersion: 2,
      productUuid: 'ec2a-1234',
      defaultIpv4: '192.0.2.11',
    });
    const wire = toProtoFacts(facts);
    expect(wire).toEqual(facts);
    expect(wire.interfaces).not.toBe(facts.interfaces);
  });

  it('sees firewalld started without a pid file by its nftables table', async () => {
    expect((await gatherFacts(sources({ nftTables: async () => 'table inet firewalld\ntable ip filter\n' }))).firewall).toBe('firewalld');
  });

  it('tells nftables from iptables-nft and legacy iptables', async () => {
    expect((await gatherFacts(sources({ nftTables: async () => 'table inet filter\n' }))).firewall).toBe('nftables');
    expect((await gatherFacts(sources({ nftTables: async () => 'table ip filter\ntable ip nat\n' }))).firewall).toBe('iptables');
    await put('/proc/net/ip_tables_names', 'filter\n');
    expect((await gatherFacts(sources())).firewall).toBe('iptables');
  });

  it('does not fail when every source is missing (a bare container)', async () => {
    const fallbackMemory = { totalBytes: 1024 ** 3, swapTotalBytes: 0, swapUsedBytes: 0 };
    const facts = await gatherFacts(sources({ networkInterfaces: {}, memory: async () => fallbackMemory, hardwareUuid: async () => '' }));
    expect(facts).toMatchObject({
      memoryBytes: 1024 ** 3,
      os: { id: '', family: 'unknown' },
      interfaces: [],
      swap: { totalBytes: 0, usedBytes: 0, devices: [] },
      initSystem: 'unknown',
      packageManager: 'unknown',
      firewall: 'none',
      cgroupVersion: 1,
      productUuid: '',
      defaultIpv4: '',
    });
  });

  it('uses the address list alone when /sys is missing (some containers)', async () => {
    const facts = await gatherFacts(sources());
    expect(facts.interfaces).toEqual([
      { name: 'eth0', mac: '52:54:00:aa:bb:cc', addresses: ['192.0.2.11/24', 'fe80::1/64'], up: true, virtual: false },
      { name: 'lo', mac: '00:00:00:00:00:00', addresses: ['127.0.0.1/8'], up: true, virtual: true },
    ]);
  });

  it('asks the slow sources at the same time, not one after another', async () => {
    // Each source answers only once the other has been asked: sequential calls never finish.
    let askedForUuid!: () => void;
    const uuidAsked = new Promise<void>((resolve) => (askedForUuid = resolve));
    let askedForMemory!: () => void;
    const memoryAsked = new Promise<void>((resolve) => (askedForMemory = resolve));
    const facts = gatherFacts(
      sources({
        memory: async () => {
          askedForMemory();
          await uuidAsked;
          return { totalBytes: 1, swapTotalBytes: 0, swapUsedBytes: 0 };
        },
        hardwareUuid: async () => {
          askedForUuid();
          await memoryAsked;
          return 'u-1';
        },
      }),
    );
    const deadline = new Promise<'stuck'>((resolve) => setTimeout(resolve, 1_000, 'stuck').unref());
    const outcome = await Promise.race([facts, deadline]);
    expect(outcome).not.toBe('stuck');
    expect(outcome).toMatchObject({ memoryBytes: 1, productUuid: 'u-1' });
  });

  it('gathers this machine\'s facts in well under 300 ms (median of 5)', async () => {
    await gatherFacts(hostFactSources('probe'));
    const elapsed: number[] = [];
    let facts: HostFacts | undefined;
    for (let round = 0; round < 5; round += 1) {
      const started = performance.now();
      facts = await gatherFacts(hostFactSources('probe'));
      elapsed.push(performance.now() - started);
    }
    expect(facts?.hostName).toBe('probe');
    expect(facts?.cpus).toBe(os.availableParallelism());
    expect(facts?.memoryBytes).toBe(os.totalmem());
    expect(facts?.kernel).toBe(os.release());
    expect(facts?.interfaces.find((item) => item.name === 'lo')).toMatchObject({ up: true, virtual: true, addresses: expect.arrayContaining(['127.0.0.1/8']) });
    expect(elapsed.sort((a, b) => a - b)[2]).toBeLessThan(300);
  });
});
