import { describe, expect, it } from 'vitest';
import { resolveUnderRoot } from './resolve-under-root';

describe('resolveUnderRoot', () => {
  it.each([
    ['/', '/etc/fstab', '/etc/fstab'],
    ['/tmp/root', '/etc/fstab', '/tmp/root/etc/fstab'],
    ['/tmp/root/', '//etc//./sysctl.d/', '/tmp/root/etc/sysctl.d'],
    ['/tmp/root', '/', '/tmp/root'],
  ])('%s + %s → %s', (root, path, expected) => {
    expect(resolveUnderRoot(root, path)).toBe(expected);
  });

  it('refuses relative paths and ".." segments, naming the problem', () => {
    expect(() => resolveUnderRoot('/tmp/root', 'etc/fstab')).toThrow(/not absolute/);
    expect(() => resolveUnderRoot('/tmp/root', '/etc/../../escape')).toThrow(/contains "\.\."/);
  });
});
