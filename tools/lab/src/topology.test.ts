import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareSeedTopology, loadTopology, seedTopology } from './topology';

let dir: string;
let files = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'topo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const f = path.join(dir, `t${files++}.yaml`);
  writeFileSync(f, text);
  return f;
}

describe('topology', () => {
  it('the seed has two load balancers, three control planes and a worker on fixed addresses', () => {
    const t = seedTopology();
    expect(t.vip).toBe('192.0.2.100');
    expect(t.hosts.map((h) => `${h.name}=${h.address}`)).toEqual([
      'lb1=192.0.2.11',
      'lb2=192.0.2.12',
      'master1=192.0.2.21',
      'master2=192.0.2.22',
      'master3=192.0.2.23',
      'worker1=192.0.2.31',
    ]);
  });

  it("the seed's operating systems with their firewalls on: Rocky 9 + firewalld control planes, a hardened Debian worker", () => {
    expect(seedTopology().hosts.map((h) => `${h.name}:${h.os}/${h.firewall ?? 'none'}`)).toEqual([
      'lb1:debian-12/none',
      'lb2:debian-12/none',
      'master1:rocky-9/firewalld',
      'master2:rocky-9/firewalld',
      'master3:rocky-9/firewalld',
      'worker1:debian-12/nftables',
    ]);
    expect(bareSeedTopology().hosts.every((h) => h.os === undefined && h.firewall === undefined)).toBe(true);
    expect(loadTopology('bare-seed')).toEqual(bareSeedTopology());
  });

  it('reads os and firewall per host, and rejects unknown ones', () => {
    const t = loadTopology(file('hosts:\n  - {name: cp1, role: master, os: almalinux-9, firewall: firewalld}\n  - {name: w1, role: worker, os: ubuntu-22.04}\n'));
    expect(t.hosts).toEqual([
      { name: 'cp1', role: 'master', address: '192.0.2.21', os: 'almalinux-9', firewall: 'firewalld' },
      { name: 'w1', role: 'worker', address: '192.0.2.31', os: 'ubuntu-22.04' },
    ]);
    expect(() => loadTopology(file('hosts:\n  - {name: a, role: master, os: centos-7}'))).toThrow(/hosts\.0\.os/);
    expect(() => loadTopology(file('hosts:\n  - {name: a, role: master, firewall: ufw}'))).toThrow(/hosts\.0\.firewall/);
  });

  it('reads a YAML file and numbers addresses per role', () => {
    const t = loadTopology(file('hosts:\n  - {name: cp1, role: master}\n  - {name: w1, role: worker, address: 192.0.2.77}\n'));
    expect(t.hosts).toEqual([
      { name: 'cp1', role: 'master', address: '192.0.2.21' },
      { name: 'w1', role: 'worker', address: '192.0.2.77' },
    ]);
  });

  it.each([
    ['hosts: []', /hosts/],
    ['hosts:\n  - {name: Master_1, role: master}', /host names/],
    ['hosts:\n  - {name: a, role: master, address: 10.0.0.1}', /192\.0\.2\.0\/24/],
    ['hosts:\n  - {name: a, role: master, address: 192.0.2.1}', /bridge/],
    ['hosts:\n  - {name: a, role: master}\n  - {name: a, role: worker}', /duplicate name a/],
    ['vip: 192.0.2.21\nhosts:\n  - {name: a, role: master}', /uses the VIP/],
  ])('rejects %j with a message naming the problem', (text, message) => {
    expect(() => loadTopology(file(text))).toThrow(message);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadTopology('/nonexistent/topology.yaml')).toThrow(/cannot read topology \/nonexistent\/topology.yaml/);
  });
});
