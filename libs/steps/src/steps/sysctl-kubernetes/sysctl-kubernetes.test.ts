import { describe, expect, it } from 'vitest';
import { familyFacts } from '../../testing/host-facts';
import { planFor } from '../../testing/plan-for';
import type { SeedEntry } from '../../testing/temp-root';
import { LEGACY_SYSCTL_CONF_PATH, SYSCTL_CONF_CONTENT, SYSCTL_CONF_PATH, procSysPath, sysctlKubernetes } from './sysctl-kubernetes';

const runtime = (iptables: string, ip6tables: string, forward: string): Record<string, string> => ({
  '/proc/sys/net/bridge/bridge-nf-call-iptables': `${iptables}\n`,
  '/proc/sys/net/bridge/bridge-nf-call-ip6tables': `${ip6tables}\n`,
  '/proc/sys/net/ipv4/ip_forward': `${forward}\n`,
});
const PERSIST_LINE = `write ${SYSCTL_CONF_PATH}  # keep the Kubernetes kernel settings across reboots`;
const BRIDGE_NOTE = ' (needs br_netfilter loaded: step kernel.modules)';

const rows: { name: string; files: Record<string, SeedEntry>; lines: string[]; noop?: string }[] = [
  {
    name: 'first run: all 0, nothing persisted',
    files: runtime('0', '0', '0'),
    lines: [
      PERSIST_LINE,
      `write /proc/sys/net/bridge/bridge-nf-call-iptables  # set net.bridge.bridge-nf-call-iptables = 1 now${BRIDGE_NOTE}`,
      `write /proc/sys/net/bridge/bridge-nf-call-ip6tables  # set net.bridge.bridge-nf-call-ip6tables = 1 now${BRIDGE_NOTE}`,
      'write /proc/sys/net/ipv4/ip_forward  # set net.ipv4.ip_forward = 1 now',
    ],
  },
  {
    name: 'done: no-op',
    files: { ...runtime('1', '1', '1'), [SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT },
    lines: [],
    noop: 'net.bridge.bridge-nf-call-iptables, net.bridge.bridge-nf-call-ip6tables, net.ipv4.ip_forward already 1 and kept at boot',
  },
  {
    name: 'drift: ip_forward set to 0 by hand → only ip_forward repaired',
    files: { ...runtime('1', '1', '0'), [SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT },
    lines: ['write /proc/sys/net/ipv4/ip_forward  # set net.ipv4.ip_forward = 1 now'],
  },
  {
    name: 'drift: persisted file edited by hand → only the file rewritten',
    files: { ...runtime('1', '1', '1'), [SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT.replace('ip_forward = 1', 'ip_forward = 0') },
    lines: [PERSIST_LINE],
  },
  {
    name: 'upgrade from the 99-kubernetes.conf kumi wrote before → new file written, old one removed',
    files: { ...runtime('1', '1', '1'), [LEGACY_SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT },
    lines: [PERSIST_LINE, `remove ${LEGACY_SYSCTL_CONF_PATH}  # an earlier kumi wrote it; ${SYSCTL_CONF_PATH} replaces it`],
  },
  {
    name: 'upgrade half done (new file written, old one still there) → only the old one removed',
    files: { ...runtime('1', '1', '1'), [SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT, [LEGACY_SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT },
    lines: [`remove ${LEGACY_SYSCTL_CONF_PATH}  # an earlier kumi wrote it; ${SYSCTL_CONF_PATH} replaces it`],
  },
  {
    name: "a 99-kubernetes.conf kumi did not write is the admin's: kept",
    files: { ...runtime('1', '1', '1'), [SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT, [LEGACY_SYSCTL_CONF_PATH]: 'vm.max_map_count = 262144\n' },
    lines: [],
    noop: 'net.bridge.bridge-nf-call-iptables, net.bridge.bridge-nf-call-ip6tables, net.ipv4.ip_forward already 1 and kept at boot',
  },
  {
    name: 'br_netfilter not loaded: bridge keys still planned (the write explains the dependency)',
    files: { '/proc/sys/net/ipv4/ip_forward': '1\n', [SYSCTL_CONF_PATH]: SYSCTL_CONF_CONTENT },
    lines: [
      `write /proc/sys/net/bridge/bridge-nf-call-iptables  # set net.bridge.bridge-nf-call-iptables = 1 now${BRIDGE_NOTE}`,
      `write /proc/sys/net/bridge/bridge-nf-call-ip6tables  # set net.bridge.bridge-nf-call-ip6tables = 1 now${BRIDGE_NOTE}`,
    ],
  },
];

describe.each(familyFacts)('sysctl.kubernetes plans on $os.id', (facts) => {
  it.each(rows)('$name', async (row) => {
    const result = await planFor(sysctlKubernetes, facts, row.files);
    expect(result.lines).toEqual(row.lines);
    expect(result.noop).toBe(row.noop);
  });
});

describe('sysctl.kubernetes actions', () => {
  it('writes runtime values in place and the boot file atomically', async () => {
    const { plan } = await planFor(sysctlKubernetes, familyFacts[0]!, runtime('0', '1', '1'));
    expect(plan.actions).toEqual([
      expect.objectContaining({ kind: 'write', path: SYSCTL_CONF_PATH, content: SYSCTL_CONF_CONTENT, mode: 0o644 }),
      expect.objectContaining({ kind: 'write', path: procSysPath('net.bridge.bridge-nf-call-iptables'), content: '1\n', inPlace: true }),
    ]);
  });

  it('names its boot file so that it sorts after 99-sysctl.conf (/etc/sysctl.conf): its settings win at boot', () => {
    const name = SYSCTL_CONF_PATH.split('/').at(-1)!;
    expect(SYSCTL_CONF_PATH.startsWith('/etc/sysctl.d/')).toBe(true);
    // systemd-sysctl orders by file name in the C locale: compare by code unit.
    expect(['99-sysctl.conf', '99-zzz.conf', name].sort()).toEqual(['99-sysctl.conf', '99-zzz.conf', name]);
  });

  it('persists each key as "key = 1"', () => {
    expect(SYSCTL_CONF_CONTENT).toContain('net.bridge.bridge-nf-call-iptables = 1\n');
    expect(SYSCTL_CONF_CONTENT).toContain('net.bridge.bridge-nf-call-ip6tables = 1\n');
    expect(SYSCTL_CONF_CONTENT).toContain('net.ipv4.ip_forward = 1\n');
  });
});
