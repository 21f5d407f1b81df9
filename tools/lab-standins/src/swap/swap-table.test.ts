import { describe, expect, it } from 'vitest';
import { fstabSwapEntries, humanSize, renderProcSwaps, renderSwaponShow } from './swap-table';

describe('swap table', () => {
  const area = { filename: '/swap.img', type: 'file' as const, sizeKiB: 2097148, usedKiB: 0, priority: -2 };

  it('prints swapon --show like util-linux', () => {
    expect(renderSwaponShow([area], { headings: true, bytes: false })).toBe('NAME      TYPE SIZE USED PRIO\n/swap.img file   2G   0B   -2\n');
    expect(renderSwaponShow([area], { headings: false, bytes: true })).toBe('/swap.img file 2147479552 0 -2\n');
    expect(renderSwaponShow([], { headings: true, bytes: false })).toBe('');
  });

  it('prints /proc/swaps like the kernel', () => {
    expect(renderProcSwaps([area]).split('\n')[1]).toBe(`${'/swap.img'.padEnd(40)}file\t\t2097148\t\t0\t\t-2`);
  });

  it('finds swap lines in fstab, skipping comments and noauto', () => {
    expect(fstabSwapEntries('UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n#/old none swap sw 0 0\n/x none swap noauto 0 0\n')).toEqual(['/swap.img']);
  });

  it.each([
    [0, '0B'],
    [1536, '1.5K'],
    [2147479552, '2G'],
  ])('humanSize(%d) = %s', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});
