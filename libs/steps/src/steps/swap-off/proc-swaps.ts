import { decodeOctal } from './fstab';

/** Swap areas in use, from the text of /proc/swaps (header line skipped). */
export function activeSwapDevices(procSwaps: string): string[] {
  return procSwaps
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((field) => field.length > 0)
    .map(decodeOctal);
}
