import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { renderApiserverCheckScript, renderKeepalivedConfig } from '../../render/keepalived-config';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import type { TestNetns } from '../common/test-netns';
import { canUseNetns, createTestNetns } from '../common/test-netns';
import type { LbKeepalivedFacts } from './lb-keepalived';
import { CHECK_SCRIPT_PATH, lbKeepalived } from './lb-keepalived';
import { lbKeepalivedParams, lbKeepalivedPresentParams } from './params';

const params = lbKeepalivedPresentParams.parse({ vip: '192.0.2.100', state: 'MASTER', priority: 101, authPass: 'kumi42' });
const lbFacts = {
  ...debianFacts,
  hostName: 'lb1',
  interfaces: [
    { name: 'lo', mac: '00:00:00:00:00:00', addresses: ['127.0.0.1/8'], up: true, virtual: true },
    { name: 'ens3', mac: '52:54:00:00:00:01', addresses: ['198.51.100.5/24'], up: true, virtual: false },
    { name: 'ens4', mac: '52:54:00:00:00:02', addresses: ['192.0.2.21/24'], up: true, virtual: false },
  ],
};
const config = renderKeepalivedConfig({
  routerId: 'kumi_lb1',
  state: 'MASTER',
  priority: 101,
  virtualRouterId: 51,
  interfaceName: 'ens4',
  vipCidr: '192.0.2.100/24',
  authPass: 'kumi42',
  checkScriptPath: CHECK_SCRIPT_PATH,
});
const script = renderApiserverCheckScript('192.0.2.100', 6443);
const settled: LbKeepalivedFacts = {
  packages: 'apt',
  version: '2.2.7',
  curl: true,
  config,
  checkScript: script,
  service: { active: true, enabled: true },
  interfaceName: 'ens4',
  vipCidr: '192.0.2.100/24',
  routerId: 'kumi_lb1',
};
const lines = (facts: LbKeepalivedFacts): string[] =>
  lbKeepalived.plan(facts, params, {}).actions.map((action) => describeAction(action).split('  #')[0] ?? '');

describe('lb.keepalived check', () => {
  it('puts the VIP on the interface holding an address in its subnet, with that prefix', async () => {
    const host = fakeHost(lbFacts, { '/etc/keepalived/keepalived.conf': config, [CHECK_SCRIPT_PATH]: script }, {
      'keepalived --version': { stderr: 'Keepalived v2.2.7 (01/16,2022)\n' },
      'curl --version': 'curl 7.88.1\n',
      'systemctl is-active keepalived': 'active\n',
      'systemctl is-enabled keepalived': 'enabled\n',
    });
    const facts = await lbKeepalived.check(host, params, {});
    expect(facts).toEqual(settled);
    expect(lbKeepalived.plan(facts, params, {}).noop).toBe(
      'keepalived already runs the rendered configuration (VIP 192.0.2.100/24 on ens4, MASTER)',
    );
  });

  it('fails with a fix when no interface is in the VIP subnet', async () => {
    const host = fakeHost({ ...lbFacts, interfaces: lbFacts.interfaces.slice(0, 2) });
    await expect(lbKeepalived.check(host, params, {})).rejects.toThrow(/no interface on lb1 holds an address in the subnet of VIP 192.0.2.100.*Fix/);
  });
});

describe('lb.keepalived plan', () => {
  it('first run on Debian and RHEL installs, writes the script, validates, installs, starts', () => {
    const fresh = { ...settled, version: undefined, curl: false, config: undefined, checkScript: undefined, service: { active: false, enabled: false } };
    expect(lines(fresh)).toEqual([
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages keepalived curl',
      `write ${CHECK_SCRIPT_PATH}`,
      'run keepalived -t -f {{file:keepalived.conf}}',
      'write /etc/keepalived/keepalived.conf',
      'run systemctl enable keepalived',
      'run systemctl start keepalived',
    ]);
    expect(lines({ ...fresh, packages: 'dnf', curl: true })).toEqual([
      'run dnf install -y keepalived',
      `write ${CHECK_SCRIPT_PATH}`,
      'run keepalived -t -f {{file:keepalived.conf}}',
      'write /etc/keepalived/keepalived.conf',
      'run systemctl enable keepalived',
      'run systemctl start keepalived',
    ]);
  });

  it('drifted priority: validate, rewrite, reload and nothing else', () => {
    expect(lines({ ...settled, config: config.replace('priority 101', 'priority 150') })).toEqual([
      'run keepalived -t -f {{file:keepalived.conf}}',
      'write /etc/keepalived/keepalived.conf',
      'run systemctl reload keepalived',
    ]);
  });

  it('second run is a noop on both families', () => {
    for (const packages of ['apt', 'dnf'] as const) expect(lines({ ...settled, packages })).toEqual([]);
  });

  it('BACKUP with lower priority renders as such', () => {
    const backup = lbKeepalivedParams.parse({ ...params, state: 'BACKUP', priority: 100 });
    const plan = lbKeepalived.plan({ ...settled, config: undefined }, backup, {});
    const write = plan.actions.find((action) => action.kind === 'write' && action.path.endsWith('keepalived.conf'));
    expect(write?.kind === 'write' ? String(write.content) : '').toMatch(/state BACKUP\n    interface ens4\n    virtual_router_id 51\n    priority 100/);
  });
});

describe.skipIf(!canUseNetns())('rendered keepalived config against the real keepalived -t', () => {
  let netns: TestNetns | undefined;
  // Made in beforeAll: a skipped describe still runs its body but never its afterAll.
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kumi-keepalived-'));
    netns = createTestNetns();
    netns.exec(['ip', 'link', 'add', 'ens4', 'type', 'veth', 'peer', 'name', 'peer0']);
    netns.exec(['ip', 'addr', 'add', '192.0.2.21/24', 'dev', 'ens4']);
  });
  afterAll(() => {
    netns?.remove();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('passes keepalived -t, and a broken one does not', () => {
    const scriptPath = join(dir, 'check_apiserver.sh');
    writeFileSync(scriptPath, script);
    chmodSync(scriptPath, 0o755);
    const good = join(dir, 'keepalived.conf');
    writeFileSync(good, config.replace(CHECK_SCRIPT_PATH, scriptPath));
    expect(() => netns?.exec(['keepalived', '-t', '-f', good])).not.toThrow();
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, config.replace(CHECK_SCRIPT_PATH, scriptPath).replace('auth_type PASS', 'auth_type NONSENSE'));
    expect(() => netns?.exec(['keepalived', '-t', '-f', bad])).toThrow();
  });
});

it('uses the same placement logic on RHEL facts', async () => {
  const host = fakeHost({ ...rhelFacts, interfaces: lbFacts.interfaces });
  const facts = await lbKeepalived.check(host, params, {});
  expect(facts).toMatchObject({ packages: 'dnf', interfaceName: 'ens4' });
});

describe('lb.keepalived ensure: absent (kumi reset)', () => {
  const absent = lbKeepalivedParams.parse({ ensure: 'absent' });
  const probes = (active: string, enabled: string) => ({ 'systemctl is-active keepalived': active, 'systemctl is-enabled keepalived': enabled });
  const rows: { name: string; files: Record<string, string>; probes: Record<string, string>; expected: string[]; noop?: RegExp }[] = [
    {
      name: 'holding the VIP with kumi\'s files: stop (the VIP leaves), disable, remove config and check script',
      files: { '/etc/keepalived/keepalived.conf': config, [CHECK_SCRIPT_PATH]: script },
      probes: probes('active\n', 'enabled\n'),
      expected: [
        'run systemctl stop keepalived  # keepalived must no longer run (ensure: absent)',
        'run systemctl disable keepalived  # keepalived must not start at boot (ensure: absent)',
        'remove /etc/keepalived/keepalived.conf  # kumi wrote it for keepalived',
        `remove ${CHECK_SCRIPT_PATH}  # kumi wrote it for keepalived`,
      ],
    },
    {
      name: 'half done (stopped, script left): remove the script only',
      files: { [CHECK_SCRIPT_PATH]: script },
      probes: probes('inactive\n', 'disabled\n'),
      expected: [`remove ${CHECK_SCRIPT_PATH}  # kumi wrote it for keepalived`],
    },
    {
      name: 'done: noop, a foreign configuration named in the reason',
      files: { '/etc/keepalived/keepalived.conf': 'global_defs {\n}\n' },
      probes: probes('inactive\n', 'disabled\n'),
      expected: [],
      noop: /^keepalived is stopped and disabled and kumi's files for it are gone \(left alone, not written by kumi: \/etc\/keepalived\/keepalived.conf\)$/,
    },
  ];
  it.each(rows)('$name', async (row) => {
    for (const facts of [lbFacts, { ...rhelFacts, interfaces: lbFacts.interfaces }]) {
      const checked = await lbKeepalived.check(fakeHost(facts, row.files, row.probes), absent, {});
      const plan = lbKeepalived.plan(checked, absent, {});
      expect(plan.actions.map(describeAction)).toEqual(row.expected);
      if (row.noop) expect(plan.noop).toMatch(row.noop);
    }
  });

  it('needs no VIP, and does not look for an interface (one without the VIP subnet is fine)', async () => {
    expect(absent).toEqual({ ensure: 'absent', configPath: '/etc/keepalived/keepalived.conf' });
    const host = fakeHost({ ...debianFacts, interfaces: [] }, {}, probes('inactive\n', 'disabled\n'));
    await expect(lbKeepalived.check(host, absent, {})).resolves.toMatchObject({ ensure: 'absent' });
  });
});
