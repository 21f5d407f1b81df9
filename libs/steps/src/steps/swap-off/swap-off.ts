import * as z from 'zod';
import type { Action } from '../../plan';
import { planOf } from '../../plan';
import type { HostReader, Step } from '../../step';
import { commentSwapLines, fstabSwapEntries } from './fstab';
import { activeSwapDevices } from './proc-swaps';
import { fstabDevicePath, unitNameForPath } from './systemd-unit-name';
import { ZRAM_CONFIG_PATH, ZRAM_CONFIG_WITHOUT_DEVICES, ZRAM_GENERATOR_PATHS, zramConfigDefinesDevices } from './zram-config';

/** swap.off takes no parameters. */
export const swapOffParams = z.object({}).strict();
export type SwapOffParams = z.infer<typeof swapOffParams>;

/** Where systemd finds .swap units: admin, runtime, generator output and packaged folders. */
export const SWAP_UNIT_FOLDERS = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/run/systemd/generator.early',
  '/run/systemd/generator',
  '/run/systemd/generator.late',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
] as const;

const MASK_FOLDER = '/etc/systemd/system';

/** What swap.off reads from the host. */
export interface SwapOffFacts {
  /** Swap areas in use (from /proc/swaps). */
  activeSwaps: string[];
  /** /etc/fstab as it is, or undefined when there is none. */
  fstab: string | undefined;
  /** Every .swap unit that could turn swap on, sorted. */
  swapUnits: string[];
  /** Those of swapUnits already masked (an empty file or a link to /dev/null in /etc). */
  maskedUnits: string[];
  zram: {
    generatorInstalled: boolean;
    /** /etc/systemd/zram-generator.conf, or undefined when there is none. */
    config: string | undefined;
  };
  /** systemd is the running init (/run/systemd/system exists), so it must reload units. */
  systemdRunning: boolean;
}

/** Turns swap off now and keeps it off across reboots: fstab, .swap units and zram. */
export const swapOff: Step<SwapOffParams, SwapOffFacts> = {
  id: 'swap.off',
  title: 'Turn swap off and keep it off',
  params: swapOffParams,

  async check(host) {
    const activeSwaps = activeSwapDevices((await host.readFile('/proc/swaps')) ?? '');
    const fstab = await host.readFile('/etc/fstab');
    const fstabUnits = fstabSwapEntries(fstab ?? '').map((entry) => unitNameForPath(fstabDevicePath(entry.what), 'swap'));
    const activeUnits = activeSwaps.map((device) => unitNameForPath(device, 'swap'));
    const swapUnits = [...new Set([...activeUnits, ...fstabUnits, ...(await swapUnitFiles(host))])].sort();
    const maskedUnits: string[] = [];
    for (const unit of swapUnits) {
      if ((await host.readFile(`${MASK_FOLDER}/${unit}`)) === '') maskedUnits.push(unit);
    }
    let generatorInstalled = false;
    for (const path of ZRAM_GENERATOR_PATHS) generatorInstalled ||= await host.exists(path);
    return {
      activeSwaps,
      fstab,
      swapUnits,
      maskedUnits,
      zram: { generatorInstalled, config: await host.readFile(ZRAM_CONFIG_PATH) },
      systemdRunning: await host.exists('/run/systemd/system'),
    };
  },

  plan(facts) {
    const actions: Action[] = [];
    if (facts.activeSwaps.length > 0) {
      actions.push({
        kind: 'run',
        argv: ['swapoff', '-a'],
        why: `swap is on (${facts.activeSwaps.join(', ')}); the kubelet refuses to start with swap on`,
      });
    }
    let unitsChanged = false;
    if (facts.fstab !== undefined && fstabSwapEntries(facts.fstab).length > 0) {
      unitsChanged = true;
      actions.push({
        kind: 'write',
        path: '/etc/fstab',
        content: commentSwapLines(facts.fstab),
        mode: 0o644,
        why: 'comment out the swap lines so swap stays off after a reboot',
      });
    }
    for (const unit of facts.swapUnits.filter((name) => !facts.maskedUnits.includes(name))) {
      unitsChanged = true;
      actions.push({
        kind: 'symlink',
        path: `${MASK_FOLDER}/${unit}`,
        target: '/dev/null',
        why: `mask ${unit} so neither fstab nor a generator turns it on again`,
      });
    }
    const zramConfig = facts.zram.config;
    if (facts.zram.generatorInstalled && (zramConfig === undefined || zramConfigDefinesDevices(zramConfig))) {
      unitsChanged = true;
      actions.push({
        kind: 'write',
        path: ZRAM_CONFIG_PATH,
        content: ZRAM_CONFIG_WITHOUT_DEVICES,
        mode: 0o644,
        why: 'define no zram device so zram swap does not come back at boot',
      });
    }
    if (unitsChanged && facts.systemdRunning) {
      actions.push({ kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'make systemd see the masked units and fstab' });
    }
    return planOf(actions, noopReason(facts));
  },
};

function noopReason(facts: SwapOffFacts): string {
  const masked = facts.maskedUnits.length;
  return `swap already off and kept off (no swap in use, none in /etc/fstab${masked > 0 ? `, ${masked} swap unit${masked === 1 ? '' : 's'} masked` : ''})`;
}

async function swapUnitFiles(host: HostReader): Promise<string[]> {
  const units: string[] = [];
  for (const folder of SWAP_UNIT_FOLDERS) {
    units.push(...(await host.listDir(folder)).filter((name) => name.endsWith('.swap')));
  }
  return units;
}
