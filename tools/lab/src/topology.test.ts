import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology, seedTopology } from './topology';

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
