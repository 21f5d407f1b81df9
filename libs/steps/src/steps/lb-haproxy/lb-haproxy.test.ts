import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { renderHaproxyConfig } from '../../render/haproxy-config';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { LbHaproxyFacts } from './lb-haproxy';
import { lbHaproxy } from './lb-haproxy';
import { lbHaproxyParams } from './params';

const params = lbHaproxyParams.parse({
  frontendPort: 6443,
  backends: [
    { name: 'master1', address: '192.0.2.11' },
    { name: 'master2', address: '192.0.2.12' },
    { name: 'master3', address: '192.0.2.13' },
  ],
});
const rendered = renderHaproxyConfig(params);
const running = { active: true, enabled: true };
const stopped = { active: false, enabled: false };
const dir = mkdtempSync(join(tmpdir(), 'kumi-haproxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderHaproxyConfig', () => {
  it('passes haproxy -c and holds every control plane with TLS /healthz checks', () => {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, rendered);
    const out = execFileSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/Configuration file is valid/);
    for (const ip of ['192.0.2.11', '192.0.2.12', '192.0.2.13']) expect(rendered).toContain(` ${ip}:6443 check verify none`);
    expect(rendered).toContain('http-check connect ssl');
    expect(rendered).toContain('http-check send meth GET uri /healthz');
    expect(rendered).toContain('bind *:6443');
  });

  it('is rejected by haproxy -c when broken, so validation really guards installs', () => {
    const file = join(dir, 'broken.cfg');
    writeFileSync(file, rendered.replace('balance roundrobin', 'balance nonsense'));
    expect(() => execFileSync('haproxy', ['-c', '-f', file], { stdio: 'pipe' })).toThrow();
  });
});

describe('lb.haproxy plan', () => {
  const table: { name: string; facts: LbHaproxyFacts; expected: string[] }[] = [
    {
      name: 'first run, Debian',
      facts: { packages: 'apt', version: undefined, config: undefined, service: stopped },
      expected: [
        'run apt-get update',
        'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages haproxy',
        'run haproxy -c -f {{file:haproxy.cfg}}',
        'write /etc/haproxy/haproxy.cfg',
        'run systemctl enable haproxy',
        'run systemctl start haproxy',
      ],
    },
    {
      name: 'first run, RHEL',
      facts: { packages: 'dnf', version: undefined, config: undefined, service: stopped },
      expected: [
        'run dnf install -y haproxy',
        'run haproxy -c -f {{file:haproxy.cfg}}',
        'write /etc/haproxy/haproxy.cfg',
        'run systemctl enable haproxy',
        'run systemctl start haproxy',
      ],
    },
    {
      name: 'config edited by hand: validate, rewrite, reload, nothing else',
      facts: { packages: 'dnf', version: '2.8.1', config: rendered.replace('192.0.2.13', '192.0.2.99'), service: running },
      expected: ['run haproxy -c -f {{file:haproxy.cfg}}', 'write /etc/haproxy/haproxy.cfg', 'run systemctl reload haproxy'],
    },
    {
      name: 'service stopped by hand: start only',
      facts: { packages: 'apt', version: '2.6.12', config: rendered, service: { active: false, enabled: true } },
      expected: ['run systemctl start haproxy'],
    },
  ];
  it.each(table)('$name', ({ facts, expected }) => {
    const plan = lbHaproxy.plan(facts, params, {});
    expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual(expected);
    const validate = plan.actions.find((action) => action.kind === 'run' && action.argv[0] === 'haproxy');
    if (validate?.kind === 'run') expect(validate.secretFiles?.['haproxy.cfg']).toBe(rendered);
    const write = plan.actions.find((action) => action.kind === 'write');
    if (write?.kind === 'write') {
      expect(write.content).toBe(rendered);
      expect(plan.actions.indexOf(validate!)).toBeLessThan(plan.actions.indexOf(write));
    }
  });

  it('second run is a noop with its reason, on both families', () => {
    for (const packages of ['apt', 'dnf'] as const) {
      const plan = lbHaproxy.plan({ packages, version: '2.6.12', config: rendered, service: running }, params, {});
      expect(plan.actions).toEqual([]);
      expect(plan.noop).toBe('HAProxy 2.6.12 already running with the rendered configuration');
    }
  });

  it('check reads version, config and service state', async () => {
    for (const facts of [debianFacts, rhelFacts]) {
      const host = fakeHost(
        facts,
        { '/etc/haproxy/haproxy.cfg': rendered },
        {
          'haproxy -v': 'HAProxy version 2.6.12-1+deb12u1 2023/12/16 - https://haproxy.org/\n',
          'systemctl is-active haproxy': 'active\n',
          'systemctl is-enabled haproxy': 'enabled\n',
        },
      );
      const checked = await lbHaproxy.check(host, params, {});
      expect(checked).toEqual({ packages: facts.packageManager, version: '2.6.12-1+deb12u1', config: rendered, service: running });
      expect(lbHaproxy.plan(checked, params, {}).noop).toMatch(/already running/);
    }
  });
});
