import { describe, expect, it } from 'vitest';
import { planFor } from '../../testing/plan-for';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import type { SeedEntry } from '../../testing/temp-root';
import { SWAP_COMMENT_PREFIX } from './fstab';
import { swapOff } from './swap-off';
import { ZRAM_CONFIG_WITHOUT_DEVICES } from './zram-config';

const SWAPS_HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
const swaps = (...devices: string[]): string =>
  SWAPS_HEADER + devices.map((device) => `${device.padEnd(40)}partition\t998396\t\t0\t\t-2\n`).join('');

const DEBIAN_FSTAB = [
  '# /etc/fstab: static file system information.',
  'UUID=1111-aaaa /               ext4    errors=remount-ro 0       1',
  'UUID=2222-bbbb none            swap    sw              0       0',
  '',
].join('\n');
const DEBIAN_FSTAB_DONE = DEBIAN_FSTAB.replace('UUID=2222', `${SWAP_COMMENT_PREFIX}UUID=2222`);
const DEBIAN_UUID_UNIT = 'dev-disk-by\\x2duuid-2222\\x2dbbbb.swap';

const RHEL_FSTAB = [
  '/dev/mapper/rl-root     /                       xfs     defaults        0 0',
  '/dev/mapper/rl-swap     none                    swap    defaults        0 0',
  '',
].join('\n');
const RHEL_FSTAB_DONE = RHEL_FSTAB.replace('/dev/mapper/rl-swap', `${SWAP_COMMENT_PREFIX}/dev/mapper/rl-swap`);
const RHEL_LVM_UNIT = 'dev-mapper-rl\\x2dswap.swap';

const mask = { link: '/dev/null' } as const;
const systemd = { '/run/systemd/system': { dir: true } } as const;
const zramGenerator = {
  '/usr/lib/systemd/system-generators/zram-generator': '#!binary\n',
  '/usr/lib/systemd/zram-generator.conf': '[zram0]\nzram-size = min(ram, 8192)\n',
};

interface Row {
  name: string;
  facts: typeof debianFacts;
  files: Record<string, SeedEntry>;
  lines: string[];
  noop?: RegExp;
}

const rows: Row[] = [
  {
    name: 'debian first run: swap on, fstab swap line, generator unit',
    facts: debianFacts,
    files: {
      ...systemd,
      '/proc/swaps': swaps('/dev/sda2'),
      '/etc/fstab': DEBIAN_FSTAB,
      [`/run/systemd/generator/${DEBIAN_UUID_UNIT}`]: '[Swap]\nWhat=/dev/disk/by-uuid/2222-bbbb\n',
    },
    lines: [
      'run swapoff -a  # swap is on (/dev/sda2); the kubelet refuses to start with swap on',
      'write /etc/fstab  # comment out the swap lines so swap stays off after a reboot',
      `link /etc/systemd/system/${DEBIAN_UUID_UNIT} -> /dev/null  # mask ${DEBIAN_UUID_UNIT} so neither fstab nor a generator turns it on again`,
      'link /etc/systemd/system/dev-sda2.swap -> /dev/null  # mask dev-sda2.swap so neither fstab nor a generator turns it on again',
      'run systemctl daemon-reload  # make systemd see the masked units and fstab',
    ],
  },
  {
    name: 'debian done: no-op',
    facts: debianFacts,
    files: {
      ...systemd,
      '/proc/swaps': SWAPS_HEADER,
      '/etc/fstab': DEBIAN_FSTAB_DONE,
      [`/etc/systemd/system/${DEBIAN_UUID_UNIT}`]: mask,
      '/etc/systemd/system/dev-sda2.swap': mask,
    },
    lines: [],
    noop: /^swap already off and kept off \(no swap in use, none in \/etc\/fstab, 2 swap units masked\)$/,
  },
  {
    name: 'debian drift: the fstab line uncommented by hand → only fstab repaired',
    facts: debianFacts,
    files: {
      ...systemd,
      '/proc/swaps': SWAPS_HEADER,
      '/etc/fstab': DEBIAN_FSTAB,
      [`/etc/systemd/system/${DEBIAN_UUID_UNIT}`]: mask,
      '/etc/systemd/system/dev-sda2.swap': mask,
    },
    lines: [
      'write /etc/fstab  # comment out the swap lines so swap stays off after a reboot',
      'run systemctl daemon-reload  # make systemd see the masked units and fstab',
    ],
  },
  {
    name: 'debian without systemd running (container): no daemon-reload',
    facts: debianFacts,
    files: { '/proc/swaps': SWAPS_HEADER, '/etc/fstab': DEBIAN_FSTAB_DONE, '/run/systemd/generator/swapfile.swap': '[Swap]\n' },
    lines: [
      'link /etc/systemd/system/swapfile.swap -> /dev/null  # mask swapfile.swap so neither fstab nor a generator turns it on again',
    ],
  },
  {
    name: 'rhel first run: LVM swap and zram swap on, zram generator installed',
    facts: rhelFacts,
    files: {
      ...systemd,
      ...zramGenerator,
      '/proc/swaps': swaps('/dev/dm-1', '/dev/zram0'),
      '/etc/fstab': RHEL_FSTAB,
      [`/run/systemd/generator/${RHEL_LVM_UNIT}`]: '[Swap]\n',
      '/run/systemd/generator/dev-zram0.swap': '[Swap]\n',
    },
    lines: [
      'run swapoff -a  # swap is on (/dev/dm-1, /dev/zram0); the kubelet refuses to start with swap on',
      'write /etc/fstab  # comment out the swap lines so swap stays off after a reboot',
      'link /etc/systemd/system/dev-dm\\x2d1.swap -> /dev/null  # mask dev-dm\\x2d1.swap so neither fstab nor a generator turns it on again',
      `link /etc/systemd/system/${RHEL_LVM_UNIT} -> /dev/null  # mask ${RHEL_LVM_UNIT} so neither fstab nor a generator turns it on again`,
      'link /etc/systemd/system/dev-zram0.swap -> /dev/null  # mask dev-zram0.swap so neither fstab nor a generator turns it on again',
      'write /etc/systemd/zram-generator.conf  # define no zram device so zram swap does not come back at boot',
      'run systemctl daemon-reload  # make systemd see the masked units and fstab',
    ],
  },
  {
    name: 'rhel done: no-op',
    facts: rhelFacts,
    files: {
      ...systemd,
      ...zramGenerator,
      '/proc/swaps': SWAPS_HEADER,
      '/etc/fstab': RHEL_FSTAB_DONE,
      '/etc/systemd/zram-generator.conf': ZRAM_CONFIG_WITHOUT_DEVICES,
      '/etc/systemd/system/dev-dm\\x2d1.swap': mask,
      [`/etc/systemd/system/${RHEL_LVM_UNIT}`]: mask,
      '/etc/systemd/system/dev-zram0.swap': '',
    },
    lines: [],
    noop: /3 swap units masked/,
  },
  {
    name: 'rhel drift: a zram device added to the config by hand → only the config repaired',
    facts: rhelFacts,
    files: {
      ...systemd,
      ...zramGenerator,
      '/proc/swaps': SWAPS_HEADER,
      '/etc/fstab': RHEL_FSTAB_DONE,
      '/etc/systemd/zram-generator.conf': '[zram0]\n',
      [`/etc/systemd/system/${RHEL_LVM_UNIT}`]: mask,
    },
    lines: [
      'write /etc/systemd/zram-generator.conf  # define no zram device so zram swap does not come back at boot',
      'run systemctl daemon-reload  # make systemd see the masked units and fstab',
    ],
  },
  {
    name: 'rhel drift: swap turned on by hand (units masked, fstab done) → only swapoff',
    facts: rhelFacts,
    files: {
      ...systemd,
      '/proc/swaps': swaps('/dev/dm-1'),
      '/etc/fstab': RHEL_FSTAB_DONE,
      '/etc/systemd/system/dev-dm\\x2d1.swap': mask,
      [`/etc/systemd/system/${RHEL_LVM_UNIT}`]: mask,
    },
    lines: ['run swapoff -a  # swap is on (/dev/dm-1); the kubelet refuses to start with swap on'],
  },
];

describe('swap.off plans', () => {
  it.each(rows)('$name', async (row) => {
    const result = await planFor(swapOff, row.facts, row.files);
    expect(result.lines).toEqual(row.lines);
    if (row.noop === undefined) expect(result.noop).toBeUndefined();
    else expect(result.noop).toMatch(row.noop);
  });

  it('writes fstab with only the swap line commented', async () => {
    const { plan } = await planFor(swapOff, debianFacts, { '/etc/fstab': DEBIAN_FSTAB });
    const write = plan.actions.find((action) => action.kind === 'write');
    expect(write).toMatchObject({ path: '/etc/fstab', content: DEBIAN_FSTAB_DONE, mode: 0o644 });
  });

  it('rejects unknown parameters', () => {
    expect(swapOff.params.safeParse({ force: true }).success).toBe(false);
  });
});
