import { describe, expect, it } from 'vitest';
import { SWAP_COMMENT_PREFIX, commentSwapLines, fstabSwapEntries } from './fstab';

const FSTAB = [
  '# /etc/fstab: static file system information.',
  'UUID=1111-aaaa /               ext4    errors=remount-ro 0       1',
  '\tUUID=2222-bbbb\tnone\tswap\tsw\t0\t0',
  '  # /dev/sdb1 none swap sw 0 0',
  '/swap\\040file none swap defaults 0 0',
  '/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0',
  '',
].join('\n');

describe('fstab swap lines', () => {
  it('finds only uncommented lines of type swap, decoding octal escapes', () => {
    expect(fstabSwapEntries(FSTAB)).toEqual([
      { what: 'UUID=2222-bbbb', line: 2 },
      { what: '/swap file', line: 4 },
    ]);
  });

  it('comments the swap lines and keeps every other byte', () => {
    const out = commentSwapLines(FSTAB);
    const lines = out.split('\n');
    expect(lines[2]).toBe(`${SWAP_COMMENT_PREFIX}\tUUID=2222-bbbb\tnone\tswap\tsw\t0\t0`);
    expect(lines[4]).toBe(`${SWAP_COMMENT_PREFIX}/swap\\040file none swap defaults 0 0`);
    const untouched = FSTAB.split('\n').filter((_line, index) => index !== 2 && index !== 4);
    expect(lines.filter((_line, index) => index !== 2 && index !== 4)).toEqual(untouched);
    expect(fstabSwapEntries(out)).toEqual([]);
    expect(commentSwapLines(out)).toBe(out);
  });

  it('keeps CRLF line ends and a missing final newline', () => {
    const crlf = 'UUID=1 / ext4 defaults 0 1\r\n/dev/sda2 none swap sw 0 0\r\n/dev/sda3 /home ext4 defaults 0 2';
    expect(commentSwapLines(crlf)).toBe(
      `UUID=1 / ext4 defaults 0 1\r\n${SWAP_COMMENT_PREFIX}/dev/sda2 none swap sw 0 0\r\n/dev/sda3 /home ext4 defaults 0 2`,
    );
  });
});
