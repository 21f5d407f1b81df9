import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpecText } from './load';
import { formatSpecPath, SpecError, type SpecProblem } from './problems';

const seed = readFileSync(fileURLToPath(new URL('../../../../examples/seed-ha.yaml', import.meta.url)), 'utf8');

function problems(text: string): SpecProblem[] {
  try {
    return parseSpecText(text, 'test.yaml').warnings;
  } catch (error) {
    if (error instanceof SpecError) return [...error.problems];
    throw error;
  }
}

/** [case, edit of the seed, severity, path, message pattern] */
const table: Array<[string, (text: string) => string, 'error' | 'warning', string, RegExp]> = [
  ['host on the network address', (t) => t.replace('address: 192.0.2.31', 'address: 192.0.2.0'), 'error', 'spec.hosts[5].address', /network address of 192.0.2.0\/24/],
  ['host on the broadcast address', (t) => t.replace('address: 192.0.2.31', 'address: 192.0.2.255'), 'error', 'spec.hosts[5].address', /broadcast address/],
  ['loopback host', (t) => t.replace('address: 192.0.2.31', 'address: 127.0.0.5'), 'error', 'spec.hosts[5].address', /loopback/],
  ['control plane that is also a worker', (t) => t.replace('roles: [worker]', 'roles: [control-plane, worker]'), 'error', 'spec.hosts[5].roles', /both control-plane and worker/],
  ['role listed twice', (t) => t.replace('roles: [worker]', 'roles: [worker, worker]'), 'error', 'spec.hosts[5].roles', /lists a role twice/],
  ['coordinator inside the service network', (t) => t.replace('address: 192.0.2.1:7443', 'address: 10.96.0.10:7443'), 'error', 'spec.coordinator.address', /inside 10.96.0.0\/12/],
  ['pod network too small for the nodes', (t) => t.replace('podCIDR: 10.244.0.0/16', 'podCIDR: 10.244.0.0/23'), 'error', 'spec.network.podCIDR', /holds 2 node subnet\(s\) of \/24 but the cluster has 4 nodes/],
  ['docker settings with containerd', (t) => t.replace('runtime: containerd', `runtime: containerd\n  docker: { criDockerd: { version: 0.3.16, package: { url: "https://example.com/x.deb", sha256: "${'a'.repeat(64)}" } } }`), 'error', 'spec.docker', /runtime is containerd/],
  ['load balancer list missing a load balancer', (t) => t.replace('hosts: [lb1, lb2]', 'hosts: [lb2]'), 'error', 'spec.loadBalancer.hosts', /lb1 are missing/],
  ['load balancer list naming a non-LB host', (t) => t.replace('hosts: [lb1, lb2]', 'hosts: [lb1, lb2, worker1]'), 'error', 'spec.loadBalancer.hosts[2]', /does not have the loadbalancer role/],
  ['LB roles without a loadBalancer section', (t) => t.replace(/ {2}loadBalancer:\n( {4}.*\n)+/, ''), 'error', 'spec.loadBalancer', /have the loadbalancer role but spec.loadBalancer is missing/],
  ['auth pass longer than keepalived reads', (t) => t.replace('authPass: kumi-lb', 'authPass: much-too-long'), 'error', 'spec.loadBalancer.authPass', /at most 8 characters/],
  ['single load balancer', (t) => t.replace(/ {4}- \{ name: lb2.*\n/, '').replace('hosts: [lb1, lb2]', 'hosts: [lb1]'), 'warning', 'spec.hosts', /only lb1 is a load balancer/],
  ['no workers', (t) => t.replace(/ {4}- \{ name: worker1.*\n/, ''), 'warning', 'spec.hosts', /no host has the worker role/],
  ['manifest over plain http', (t) => t.replace('path: /opt/kumi/kube-flannel.yml', `url: http://example.com/kube-flannel.yml\n      sha256: ${'a'.repeat(64)}`), 'error', 'spec.cni.manifest.url', /must be an https:\/\/ URL/],
];

describe('semantic checks', () => {
  it.each(table)('%s', (_name, edit, severity, path, message) => {
    const found = problems(edit(seed));
    const match = found.find((p) => p.severity === severity && formatSpecPath(p.path) === path && message.test(p.message));
    expect(match, JSON.stringify(found, null, 2)).toBeDefined();
    expect(match?.fix).not.toBe('correct the value');
  });
});
