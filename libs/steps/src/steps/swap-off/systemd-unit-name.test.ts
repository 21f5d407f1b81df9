import { describe, expect, it } from 'vitest';
import { fstabDevicePath, unitNameForPath } from './systemd-unit-name';

describe('unitNameForPath', () => {
  it.each([
    ['/dev/sda2', 'dev-sda2.swap'],
    ['/dev/mapper/rl-swap', 'dev-mapper-rl\\x2dswap.swap'],
    ['/dev/disk/by-uuid/2222-bbbb', 'dev-disk-by\\x2duuid-2222\\x2dbbbb.swap'],
    ['/swap.img', 'swap.img.swap'],
    ['/.hidden/swap', '\\x2ehidden-swap.swap'],
    ['/var/my swap', 'var-my\\x20swap.swap'],
    ['//dev//zram0/', 'dev-zram0.swap'],
    ['/', '-.swap'],
  ])('%s → %s', (path, unit) => {
    expect(unitNameForPath(path, 'swap')).toBe(unit);
  });
});

describe('fstabDevicePath', () => {
  it.each([
    ['UUID=2222-bbbb', '/dev/disk/by-uuid/2222-bbbb'],
    ['LABEL="my swap"', '/dev/disk/by-label/my swap'],
    ['PARTUUID=abc', '/dev/disk/by-partuuid/abc'],
    ['/dev/sda2', '/dev/sda2'],
    ['OTHER=x', 'OTHER=x'],
  ])('%s → %s', (what, path) => {
    expect(fstabDevicePath(what)).toBe(path);
  });
});
