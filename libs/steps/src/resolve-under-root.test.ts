import { join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveUnderRoot, underRoot } from './resolve-under-root';

describe('resolveUnderRoot', () => {
  it.each([
    ['/', '/etc/fstab', '/etc/fstab'],
    ['/tmp/root', '/etc/fstab', '/tmp/root/etc/fstab'],
    ['/tmp/root/', '//etc//./sysctl.d/', '/tmp/root/etc/sysctl.d'],
    ['/tmp/root', '/', '/tmp/root'],
    ['/', '/', '/'],
    ['/', '//etc//fstab/', '/etc/fstab'],
    ['/tmp/root', '/./etc/./', '/tmp/root/etc'],
    ['tmp/relative-root', '/etc', `${process.cwd()}/tmp/relative-root/etc`],
  ])('%s + %s → %s', (root, path, expected) => {
    expect(resolveUnderRoot(root, path)).toBe(expected);
    // The same as path.resolve would make of it (what resolveUnderRoot did before underRoot).
    expect(underRoot(resolve(root))(path)).toBe(resolve(join(resolve(root), normalize(path))));
  });

  it('refuses relative paths and ".." segments, naming the problem', () => {
    expect(() => resolveUnderRoot('/tmp/root', 'etc/fstab')).toThrow(/not absolute/);
    expect(() => resolveUnderRoot('/tmp/root', '/etc/../../escape')).toThrow(/contains "\.\."/);
  });
});
