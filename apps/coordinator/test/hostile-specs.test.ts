import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatSpecPath, loadSpec, SpecError } from '../src/spec';

const fixtures = fileURLToPath(new URL('./fixtures/bad-specs/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Each hostile spec: the path its first error names and words its message must hold. */
const expected: Record<string, { path: string; message: RegExp }> = {
  'unknown-field': { path: 'spec.network.podCidr', message: /unknown field "podCidr"/ },
  'duplicate-host-name': { path: 'spec.hosts[4].name', message: /duplicate host name "master2"/ },
  'duplicate-host-address': { path: 'spec.hosts[5].address', message: /duplicate host address "192.0.2.23"/ },
  'pod-service-overlap': { path: 'spec.network.podCIDR', message: /overlaps serviceCIDR/ },
  'pod-overlaps-hosts': { path: 'spec.network.podCIDR', message: /overlaps hostCIDR 192.0.2.0\/24/ },
  'vip-outside-subnet': { path: 'spec.loadBalancer.vip', message: /not in network.hostCIDR/ },
  'vip-is-host': { path: 'spec.loadBalancer.vip', message: /also the address of host lb1/ },
  'no-control-plane': { path: 'spec.hosts', message: /no host has the control-plane role/ },
  'lb-hosts-missing': { path: 'spec.kubernetes.controlPlaneEndpoint', message: /no load balancer serves it/ },
  'bad-cidr-host-bits': { path: 'spec.network.podCIDR', message: /host bits set: the network is 10.244.0.0\/16/ },
  'bad-address': { path: 'spec.hosts[3].address', message: /not an IPv4 address/ },
  'bad-endpoint-port': { path: 'spec.kubernetes.controlPlaneEndpoint', message: /port from 1 to 65535/ },
  'unsupported-version': { path: 'spec.kubernetes.version', message: /1.19 is not supported by kumi \(supported: 1.30/ },
  'version-not-exact': { path: 'spec.kubernetes.version', message: /found the number 1.33/ },
  'wrong-api-version': { path: 'apiVersion', message: /must be kumi.dev\/v1alpha1/ },
  'bad-role': { path: 'spec.hosts[5].roles[0]', message: /loadbalancer/ },
  'yaml-syntax': { path: '(document)', message: /YAML syntax/ },
  'lb-is-control-plane': { path: 'spec.hosts[1].roles', message: /both HAProxy and kube-apiserver on port 6443/ },
  'drill-two-control-planes': { path: 'spec.drill.enabled', message: /cannot survive/ },
  'router-id-out-of-range': { path: 'spec.loadBalancer.virtualRouterId', message: /255/ },
  'service-cidr-too-large': { path: 'spec.network.podCIDR', message: /overlaps serviceCIDR 10.0.0.0\/8/ },
  'endpoint-not-vip': { path: 'spec.kubernetes.controlPlaneEndpoint', message: /not the load balancer VIP/ },
  'docker-without-settings': { path: 'spec.docker', message: /runtime is docker but spec.docker is missing/ },
  'drill-target-not-control-plane': { path: 'spec.drill.target', message: /"worker1" is not a control plane/ },
  'lb-list-unknown-host': { path: 'spec.loadBalancer.hosts[1]', message: /no host is named "lb3"/ },
};

async function problemsOf(name: string) {
  try {
    await loadSpec(join(fixtures, `${name}.yaml`));
  } catch (error) {
    if (error instanceof SpecError) return error.problems.filter((problem) => problem.severity === 'error');
    throw error;
  }
  throw new Error(`${name}.yaml loaded without an error`);
}

describe('hostile specs', () => {
  it('has a table row for every fixture, and at least 15 fixtures', () => {
    const files = readdirSync(fixtures).map((file) => file.replace(/\.yaml$/, ''));
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s fails naming its path, the problem, a fix and a line', async (name, want) => {
    const problems = await problemsOf(name);
    const match = problems.find((problem) => formatSpecPath(problem.path) === want.path && want.message.test(problem.message));
    expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
    expect(match?.fix.length).toBeGreaterThan(5);
    expect(match?.line).toBeGreaterThan(1);
  });

  it('`kumi plan` exits 2 on a hostile spec, lists the problem and prints no plan', async () => {
    const run = promisify(execFile);
    const spec = join(fixtures, 'duplicate-host-address.yaml');
    const result = await run('npx', ['tsx', 'apps/coordinator/src/main.ts', 'plan', spec], { cwd: repoRoot, timeout: 30_000 }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/spec\.hosts\[5\]\.address: duplicate host address "192\.0\.2\.23"/);
    expect(result.stderr).toMatch(/fix: give every host its own address/);
    expect(result.stdout).toBe('');
  });
});
