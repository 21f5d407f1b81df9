import { describe, expect, it } from 'vitest';
import { familyFacts } from '../../testing/host-facts';
import { planFor } from '../../testing/plan-for';
import type { SeedEntry } from '../../testing/temp-root';
import { MODULES_LOAD_CONTENT, MODULES_LOAD_PATH, kernelModules } from './kernel-modules';

const moduleLine = (name: string): string => `${name} 36864 0 - Live 0x0000000000000000\n`;
const WRITE_LINE = `write ${MODULES_LOAD_PATH}  # load overlay and br_netfilter at every boot`;

const rows: { name: string; files: Record<string, SeedEntry>; lines: string[]; noop?: string }[] = [
  {
    name: 'first run: nothing loaded, nothing persisted',
    files: { '/proc/modules': moduleLine('ext4') },
    lines: [
      'run modprobe -- overlay  # load overlay now (Kubernetes networking needs it)',
      'run modprobe -- br_netfilter  # load br_netfilter now (Kubernetes networking needs it)',
      WRITE_LINE,
    ],
  },
  {
    name: 'done: no-op',
    files: {
      '/proc/modules': moduleLine('overlay') + moduleLine('br_netfilter'),
      [MODULES_LOAD_PATH]: MODULES_LOAD_CONTENT,
    },
    lines: [],
    noop: 'overlay and br_netfilter already loaded and loaded at boot',
  },
  {
    name: 'built-in overlay (only in /sys/module) counts as loaded',
    files: {
      '/proc/modules': moduleLine('br_netfilter'),
      '/sys/module/overlay': { dir: true },
      [MODULES_LOAD_PATH]: MODULES_LOAD_CONTENT,
    },
    lines: [],
    noop: 'overlay and br_netfilter already loaded and loaded at boot',
  },
  {
    name: 'kernel without module support: both built in, seen by their features',
    files: {
      '/proc/filesystems': 'nodev\tsysfs\nnodev\toverlay\n\text4\n',
      '/proc/sys/net/bridge/bridge-nf-call-iptables': '0\n',
      [MODULES_LOAD_PATH]: MODULES_LOAD_CONTENT,
    },
    lines: [],
    noop: 'overlay and br_netfilter already loaded and loaded at boot',
  },
  {
    name: 'drift: br_netfilter unloaded by hand → only br_netfilter loaded',
    files: { '/proc/modules': moduleLine('overlay'), [MODULES_LOAD_PATH]: MODULES_LOAD_CONTENT },
    lines: ['run modprobe -- br_netfilter  # load br_netfilter now (Kubernetes networking needs it)'],
  },
  {
    name: 'drift: boot file edited by hand → only the file rewritten',
    files: {
      '/proc/modules': moduleLine('overlay') + moduleLine('br_netfilter'),
      [MODULES_LOAD_PATH]: 'overlay\n',
    },
    lines: [WRITE_LINE],
  },
];

describe.each(familyFacts)('kernel.modules plans on $os.id', (facts) => {
  it.each(rows)('$name', async (row) => {
    const result = await planFor(kernelModules, facts, row.files);
    expect(result.lines).toEqual(row.lines);
    expect(result.noop).toBe(row.noop);
  });
});

describe('kernel.modules boot file', () => {
  it('lists one module per line', () => {
    expect(MODULES_LOAD_CONTENT.split('\n').filter((line) => !line.startsWith('#') && line !== '')).toEqual([
      'overlay',
      'br_netfilter',
    ]);
  });
});
