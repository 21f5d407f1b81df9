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
import { lbHaproxyParams, lbHaproxyPresentParams } from './params';

const params = lbHaproxyPresentParams.parse({
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
        // the postinst started HAProxy on the package's haproxy.cfg
        'run systemctl reload haproxy',
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

  it('the full schema still names a bad field precisely', () => {
    const result = lbHaproxyParams.safeParse({ backends: [] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(['backends: give every control plane as a backend']);
    expect(lbHaproxyParams.safeParse({ ensure: 'absent', backends: params.backends }).success).toBe(false);
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

describe('lb.haproxy ensure: absent (kumi reset)', () => {
  const absent = lbHaproxyParams.parse({ ensure: 'absent' });
  const probes = (active: string, enabled: string) => ({ 'systemctl is-active haproxy': active, 'systemctl is-enabled haproxy': enabled });
  const rows: { name: string; files: Record<string, string>; probes: Record<string, string>; expected: string[]; noop?: RegExp }[] = [
    {
      name: 'running with kumi\'s configuration: stop, disable, remove it',
      files: { '/etc/haproxy/haproxy.cfg': rendered },
      probes: probes('active\n', 'enabled\n'),
      expected: [
        'run systemctl stop haproxy  # haproxy must no longer run (ensure: absent)',
        'run systemctl disable haproxy  # haproxy must not start at boot (ensure: absent)',
        'remove /etc/haproxy/haproxy.cfg  # kumi wrote it for haproxy',
      ],
    },
    {
      name: 'stopped but enabled, configuration already gone: disable only',
      files: {},
      probes: probes('inactive\n', 'enabled\n'),
      expected: ['run systemctl disable haproxy  # haproxy must not start at boot (ensure: absent)'],
    },
    {
      name: 'done: noop',
      files: {},
      probes: probes('inactive\n', 'disabled\n'),
      expected: [],
      noop: /^haproxy is stopped and disabled and kumi's files for it are gone$/,
    },
    {
      name: 'a configuration kumi did not write is left alone, and the reason says so',
      files: { '/etc/haproxy/haproxy.cfg': 'global\n    daemon\n' },
      probes: probes('inactive\n', 'disabled\n'),
      expected: [],
      noop: /left alone, not written by kumi: \/etc\/haproxy\/haproxy.cfg/,
    },
  ];
  it.each(rows)('$name', async (row) => {
    for (const facts of [debianFacts, rhelFacts]) {
      const checked = await lbHaproxy.check(fakeHost(facts, row.files, row.probes), absent, {});
      const plan = lbHaproxy.plan(checked, absent, {});
      expect(plan.actions.map(describeAction)).toEqual(row.expected);
      if (row.noop) expect(plan.noop).toMatch(row.noop);
    }
  });

  it('takes no backends and installs nothing', async () => {
    expect(absent).toEqual({ ensure: 'absent', configPath: '/etc/haproxy/haproxy.cfg' });
    const host = fakeHost(debianFacts, {}, probes('inactive\n', 'disabled\n'));
    await lbHaproxy.check(host, absent, {});
    expect(host.probed.map((argv) => argv.join(' '))).toEqual(['systemctl is-active haproxy', 'systemctl is-enabled haproxy']);
  });
});
