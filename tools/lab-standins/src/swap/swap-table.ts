import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One active swap area, as the kernel lists it in /proc/swaps. */
export interface SwapArea {
  filename: string;
  type: 'file' | 'partition';
  sizeKiB: number;
  usedKiB: number;
  priority: number;
}

/** The host's active swap areas (in /run: a reboot empties it, then `swapon -a` reads fstab). */
export const SWAP_TABLE = '/run/kumi-lab/swaps.json';
/** File bind-mounted over the host's /proc/swaps at boot; rewritten in place so the mount shows it. */
export const PROC_SWAPS_VIEW = '/run/kumi-lab/proc-swaps';
/** Size the lab gives every swap file (2 GiB minus the header page, as mkswap makes it). */
export const DEFAULT_SWAP_KIB = 2097148;

/** Reads the active swap areas. */
export function readSwapTable(): SwapArea[] {
  try {
    return JSON.parse(readFileSync(SWAP_TABLE, 'utf8')) as SwapArea[];
  } catch {
    return [];
  }
}

/** Saves the active swap areas and refreshes the /proc/swaps view. */
export function writeSwapTable(areas: SwapArea[]): void {
  mkdirSync(path.dirname(SWAP_TABLE), { recursive: true });
  writeFileSync(SWAP_TABLE, `${JSON.stringify(areas, null, 2)}\n`);
  // Same inode on purpose: /proc/swaps is a bind mount of this file.
  writeFileSync(PROC_SWAPS_VIEW, renderProcSwaps(areas));
}

/** The kernel's /proc/swaps text. */
export function renderProcSwaps(areas: SwapArea[]): string {
  const lines = ['Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority'];
  for (const a of areas) lines.push(`${a.filename.padEnd(40)}${a.type}\t\t${a.sizeKiB}\t\t${a.usedKiB}\t\t${a.priority}`);
  return `${lines.join('\n')}\n`;
}

/** Swap entries of an fstab text (type swap, without noauto). */
export function fstabSwapEntries(fstab: string): string[] {
  return fstab
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/))
    .filter((f) => f[2] === 'swap' && !(f[3] ?? '').split(',').includes('noauto'))
    .map((f) => f[0] as string);
}

/** Reads the host's /etc/fstab ('' when missing). */
export function readFstab(): string {
  return existsSync('/etc/fstab') ? readFileSync('/etc/fstab', 'utf8') : '';
}

/** util-linux's human size (1024 based, one decimal, trailing .0 dropped): 2G, 1.5M, 0B. */
export function humanSize(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}${units[unit]}`;
}

/** `swapon --show` table (NAME TYPE SIZE USED PRIO), right-aligned numbers like util-linux. */
export function renderSwaponShow(areas: SwapArea[], opts: { headings: boolean; bytes: boolean }): string {
  if (areas.length === 0) return '';
  const size = (kib: number) => (opts.bytes ? String(kib * 1024) : humanSize(kib * 1024));
  const rows = areas.map((a) => [a.filename, a.type, size(a.sizeKiB), size(a.usedKiB), String(a.priority)]);
  const all = opts.headings ? [['NAME', 'TYPE', 'SIZE', 'USED', 'PRIO'], ...rows] : rows;
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i <= 1 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' ').trimEnd();
  return `${all.map(line).join('\n')}\n`;
}
