import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const seedText = readFileSync(fileURLToPath(new URL('../../../examples/seed-ha.yaml', import.meta.url)), 'utf8');

/** One hostile spec: text edits of the seed, the path its first error names and words its message must hold. */
export interface HostileSpec {
  name: string;
  /** Each [from, to] replaces exactly one occurrence of `from` in the seed. */
  edits: ReadonlyArray<readonly [string, string]>;
  path: string;
  message: RegExp;
}

const host = (name: string, address: string, roles: string) => `    - { name: ${name}, address: ${address}, roles: [${roles}] }`;
const LOAD_BALANCER_BLOCK = '  loadBalancer:\n    type: haproxy-keepalived\n    vip: 192.0.2.100\n    virtualRouterId: 51\n    authPass: kumi-lb\n    hosts: [lb1, lb2]\n';

/** The hostile specs as edits of the seed (examples/seed-ha.yaml), one row each. */
export const HOSTILE_SPECS: readonly HostileSpec[] = [
  { name: 'unknown-field', edits: [['podCIDR: 10.244.0.0/16', 'podCidr: 10.244.0.0/16']], path: 'spec.network.podCidr', message: /unknown field "podCidr"/ },
  { name: 'duplicate-host-name', edits: [[host('master3', '192.0.2.23', 'control-plane'), host('master2', '192.0.2.23', 'control-plane')]], path: 'spec.hosts[4].name', message: /duplicate host name "master2"/ },
  { name: 'duplicate-host-address', edits: [[host('worker1', '192.0.2.31', 'worker'), host('worker1', '192.0.2.23', 'worker')]], path: 'spec.hosts[5].address', message: /duplicate host address "192.0.2.23"/ },
  { name: 'pod-service-overlap', edits: [['serviceCIDR: 10.96.0.0/12', 'serviceCIDR: 10.244.128.0/20']], path: 'spec.network.podCIDR', message: /overlaps serviceCIDR/ },
  { name: 'pod-overlaps-hosts', edits: [['podCIDR: 10.244.0.0/16', 'podCIDR: 192.0.0.0/16']], path: 'spec.network.podCIDR', message: /overlaps hostCIDR 192.0.2.0\/24/ },
  {
    name: 'vip-outside-subnet',
    edits: [
      ['controlPlaneEndpoint: 192.0.2.100:6443', 'controlPlaneEndpoint: 198.51.100.100:6443'],
      ['vip: 192.0.2.100', 'vip: 198.51.100.100'],
    ],
    path: 'spec.loadBalancer.vip',
    message: /not in network.hostCIDR/,
  },
  {
    name: 'vip-is-host',
    edits: [
      ['controlPlaneEndpoint: 192.0.2.100:6443', 'controlPlaneEndpoint: 192.0.2.11:6443'],
      ['vip: 192.0.2.100', 'vip: 192.0.2.11'],
    ],
    path: 'spec.loadBalancer.vip',
    message: /also the address of host lb1/,
  },
  {
    name: 'no-control-plane',
    edits: ['master1', 'master2', 'master3'].map((name, index) => [host(name, `192.0.2.2${index + 1}`, 'control-plane'), host(name, `192.0.2.2${index + 1}`, 'worker')] as const),
    path: 'spec.hosts',
    message: /no host has the control-plane role/,
  },
  {
    name: 'lb-hosts-missing',
    edits: [
      [LOAD_BALANCER_BLOCK, ''],
      [host('lb1', '192.0.2.11', 'loadbalancer'), host('lb1', '192.0.2.11', 'worker')],
      [host('lb2', '192.0.2.12', 'loadbalancer'), host('lb2', '192.0.2.12', 'worker')],
    ],
    path: 'spec.kubernetes.controlPlaneEndpoint',
    message: /no load balancer serves it/,
  },
  { name: 'bad-cidr-host-bits', edits: [['podCIDR: 10.244.0.0/16', 'podCIDR: 10.244.1.0/16']], path: 'spec.network.podCIDR', message: /host bits set: the network is 10.244.0.0\/16/ },
  { name: 'bad-address', edits: [['address: 192.0.2.22,', 'address: 192.0.2.322,']], path: 'spec.hosts[3].address', message: /not an IPv4 address/ },
  { name: 'bad-endpoint-port', edits: [['controlPlaneEndpoint: 192.0.2.100:6443', 'controlPlaneEndpoint: 192.0.2.100:70000']], path: 'spec.kubernetes.controlPlaneEndpoint', message: /port from 1 to 65535/ },
  { name: 'unsupported-version', edits: [['version: "1.33.2"', 'version: "1.19.4"']], path: 'spec.kubernetes.version', message: /1.19 is not supported by kumi \(supported: 1.30/ },
  { name: 'version-not-exact', edits: [['version: "1.33.2"', 'version: 1.33']], path: 'spec.kubernetes.version', message: /found the number 1.33/ },
  { name: 'wrong-api-version', edits: [['apiVersion: kumi.dev/v1alpha1', 'apiVersion: k0sctl.k0sproject.io/v1beta1']], path: 'apiVersion', message: /must be kumi.dev\/v1alpha1/ },
  { name: 'bad-role', edits: [[host('worker1', '192.0.2.31', 'worker'), host('worker1', '192.0.2.31', 'node')]], path: 'spec.hosts[5].roles[0]', message: /loadbalancer/ },
  { name: 'yaml-syntax', edits: [['roles: [worker] }', 'roles: [worker }']], path: '(document)', message: /YAML syntax/ },
  { name: 'lb-is-control-plane', edits: [['roles: [loadbalancer] }\n    - { name: master1', 'roles: [loadbalancer, control-plane] }\n    - { name: master1']], path: 'spec.hosts[1].roles', message: /both HAProxy and kube-apiserver on port 6443/ },
  { name: 'drill-two-control-planes', edits: [[`${host('master3', '192.0.2.23', 'control-plane')}\n`, '']], path: 'spec.drill.enabled', message: /cannot survive/ },
  { name: 'router-id-out-of-range', edits: [['virtualRouterId: 51', 'virtualRouterId: 300']], path: 'spec.loadBalancer.virtualRouterId', message: /255/ },
  { name: 'service-cidr-too-large', edits: [['serviceCIDR: 10.96.0.0/12', 'serviceCIDR: 10.0.0.0/8']], path: 'spec.network.podCIDR', message: /overlaps serviceCIDR 10.0.0.0\/8/ },
  { name: 'endpoint-not-vip', edits: [['controlPlaneEndpoint: 192.0.2.100:6443', 'controlPlaneEndpoint: 192.0.2.101:6443']], path: 'spec.kubernetes.controlPlaneEndpoint', message: /not the load balancer VIP/ },
  { name: 'docker-without-settings', edits: [['runtime: containerd', 'runtime: docker']], path: 'spec.docker', message: /runtime is docker but spec.docker is missing/ },
  { name: 'drill-target-not-control-plane', edits: [['target: master1', 'target: worker1']], path: 'spec.drill.target', message: /"worker1" is not a control plane/ },
  { name: 'lb-list-unknown-host', edits: [['hosts: [lb1, lb2]', 'hosts: [lb1, lb3]']], path: 'spec.loadBalancer.hosts[1]', message: /no host is named "lb3"/ },
];

/** The seed with a row's edits applied; throws when an edit's text is not in the seed exactly once (the seed changed). */
export function hostileText(spec: HostileSpec): string {
  return spec.edits.reduce((text, [from, to]) => {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`hostile spec ${spec.name}: "${from}" occurs ${count} times in the seed, not once: update the edit`);
    return text.replace(from, to);
  }, seedText);
}

/** Writes every hostile spec as NAME.yaml into dir (for commands that read a file); returns their paths. */
export function writeHostileSpecs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return HOSTILE_SPECS.map((spec) => {
    const path = join(dir, `${spec.name}.yaml`);
    writeFileSync(path, hostileText(spec));
    return path;
  });
}
