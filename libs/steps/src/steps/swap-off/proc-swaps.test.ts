import { describe, expect, it } from 'vitest';
import { activeSwapDevices } from './proc-swaps';

const HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';

describe('activeSwapDevices', () => {
  it.each([
    ['no swap', HEADER, []],
    ['empty file', '', []],
    ['a file and a zram device', `${HEADER}/swap.img                               file\t\t2097148\t\t0\t\t-2\n/dev/zram0                              partition\t1015804\t\t0\t\t100\n`, ['/swap.img', '/dev/zram0']],
    ['space, tab, newline and backslash escapes', `${HEADER}/var/swap\\040file file 1024 0 -2\n/srv/a\\011b\\012c\\134d file 1024 0 -3\n`, ['/var/swap file', '/srv/a\tb\nc\\d']],
    ['a backslash that is not an escape', `${HEADER}/srv/x\\9y file 1024 0 -2\n`, ['/srv/x\\9y']],
  ])('%s', (_name, text, expected) => {
    expect(activeSwapDevices(text)).toEqual(expected);
  });
});
