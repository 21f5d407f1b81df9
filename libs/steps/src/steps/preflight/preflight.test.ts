import { describe, expect, it } from 'vitest';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { PreflightFacts } from './evaluate';
import { evaluatePreflight } from './evaluate';
import { parseListeners } from './findings';
import { preflightParams } from './params';
import { preflight } from './preflight';

const cp = preflightParams.parse({ roles: ['control-plane'], kubernetesVersion: '1.33.2' });
const base = (host = debianFacts): PreflightFacts => ({ host, listeners: [], nodeSetUp: false, timeSynced: true });
const checksOf = (facts: PreflightFacts, params = cp) => evaluatePreflight(facts, params).findings.map((f) => `${f.severity}:${f.check}`);

describe('preflight evaluation', () => {
  it.each([debianFacts, rhelFacts])('a healthy $os.id control plane passes every check', (host) => {
    const { findings, passed } = evaluatePreflight(base(host), cp);
    expect(findings).toEqual([]);
    expect(passed).toEqual(['os', 'package-manager', 'init-system', 'arch', 'hostname', 'cpus', 'memory', 'unique-hostname', 'unique-mac', 'unique-product-uuid', 'swap', 'cgroups', 'time-sync', 'ports']);
  });

  it('errors vs warnings like kubeadm: CPU and memory minimums are errors, swap and time sync warnings', () => {
    const small = { ...debianFacts, cpus: 1, memoryBytes: 1024 ** 3, swap: { totalBytes: 1024 ** 3, usedBytes: 0, devices: ['/swap.img'] } };
    expect(checksOf({ ...base(small), timeSynced: false })).toEqual(['error:cpus', 'error:memory', 'warning:swap', 'warning:time-sync']);
  });

  it('clones are caught: same host name, MAC or product_uuid as another host', () => {
    const clone = { hostName: 'cp1', macs: ['52:54:00:00:00:11'], productUuid: debianFacts.productUuid };
    expect(checksOf(base(), preflightParams.parse({ ...cp, peers: [clone] }))).toEqual(['error:unique-hostname', 'error:unique-mac', 'error:unique-product-uuid']);
    const distinct = { hostName: 'cp2', macs: ['52:54:00:00:00:12'], productUuid: 'other' };
    expect(checksOf(base(), preflightParams.parse({ ...cp, peers: [distinct] }))).toEqual([]);
  });

  it('busy ports are errors unless kubeadm set the node up or HAProxy holds the LB port', () => {
    const listeners = parseListeners('LISTEN 0 4096 *:6443 *:* users:(("nginx",pid=5,fd=3))\nLISTEN 0 4096 127.0.0.1:2379 0.0.0.0:* users:(("etcd",pid=6,fd=7))\n');
    expect(listeners).toEqual([{ port: 6443, process: 'nginx' }, { port: 2379, process: 'etcd' }]);
    const result = evaluatePreflight({ ...base(), listeners }, cp).findings;
    expect(result).toEqual([{ check: 'ports', severity: 'error', message: 'port 6443/tcp (nginx) already in use. Fix: stop what listens there, or move it.' }]);
    expect(checksOf({ ...base(), listeners, nodeSetUp: true })).toEqual([]);
    const lb = preflightParams.parse({ roles: ['load-balancer'], kubernetesVersion: '1.33.2' });
    expect(checksOf({ ...base(), listeners: [{ port: 6443, process: 'haproxy' }] }, lb)).toEqual([]);
  });

  it('cgroup v1 is an error from 1.35 and a warning before; ignore turns errors into warnings', () => {
    const v1 = base({ ...debianFacts, cgroupVersion: 1 });
    expect(checksOf(v1)).toEqual(['warning:cgroups']);
    expect(checksOf(v1, preflightParams.parse({ ...cp, kubernetesVersion: '1.35.0' }))).toEqual(['error:cgroups']);
    expect(checksOf(v1, preflightParams.parse({ ...cp, kubernetesVersion: '1.35.0', ignore: ['cgroups'] }))).toEqual(['warning:cgroups']);
  });

  it('unsupported OS and bad host names are errors with a fix', () => {
    const alpine = { ...debianFacts, hostName: 'CP_1', os: { id: 'alpine', version: '3.20', family: 'unknown' as const, prettyName: 'Alpine Linux v3.20', codename: '' }, packageManager: 'unknown' as const };
    const findings = evaluatePreflight(base(alpine), cp).findings;
    expect(findings.map((f) => f.check)).toEqual(['os', 'package-manager', 'hostname']);
    expect(findings.every((f) => f.message.includes('Fix:'))).toBe(true);
  });
});

describe('preflight step', () => {
  const probes = { 'ss -Hltnp': '', 'timedatectl show -p NTPSynchronized --value': 'yes\n' };
  it('never changes the host: a noop plan with the count of checks, findings in outputs', async () => {
    const host = fakeHost({ ...rhelFacts, swap: { totalBytes: 1024 ** 3, usedBytes: 0, devices: ['/dev/vda3'] } }, {}, probes);
    const facts = await preflight.check(host, cp, {});
    expect(preflight.plan(facts, cp, {})).toEqual({ actions: [], noop: 'preflight passed 13 checks with 1 warning: swap' });
    const outputs = await preflight.outputs!(host, cp, facts);
    expect(outputs.errors).toEqual([]);
    expect(outputs.warnings.map((f) => f.check)).toEqual(['swap']);
    expect(host.probed.every((argv) => ['ss', 'timedatectl'].includes(argv[0] ?? ''))).toBe(true);
  });

  it('fails with the list of errors', async () => {
    const host = fakeHost({ ...debianFacts, cpus: 1 }, {}, { ...probes, 'ss -Hltnp': 'LISTEN 0 4096 *:10250 *:* users:(("foo",pid=1,fd=1))' });
    await expect(preflight.check(host, cp, {})).rejects.toThrow(/preflight found 2 errors on cp1:\n {2}\[cpus\] 1 CPU.*\n {2}\[ports\] port 10250\/tcp \(foo\)/);
  });
});
