import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerdIo2Offer, readContainerdIo, recordContainerdIo } from './containerd-io-2';

const dir = mkdtempSync('/tmp/kumi-containerd-io-2-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A cache whose containerd prints `line` for --version. */
function cacheWith(line: string): string {
  const cache = mkdtempSync(path.join(dir, 'cache-'));
  mkdirSync(path.join(cache, 'usr/bin'), { recursive: true });
  writeFileSync(path.join(cache, 'usr/bin/containerd'), `#!/bin/sh\necho '${line}'\n`);
  chmodSync(path.join(cache, 'usr/bin/containerd'), 0o755);
  return cache;
}

describe("the lab's containerd.io series (KUMI_LAB_CONTAINERD_IO)", () => {
  it('defaults to 1.7: no 2.x offer', () => {
    const packages = mkdtempSync(path.join(dir, 'packages-'));
    expect(recordContainerdIo(packages, undefined)).toEqual({ series: '1.7' });
    expect(containerdIo2Offer('containerd.io', 'rpm', packages)).toBeUndefined();
    expect(readContainerdIo(path.join(dir, 'never-built'))).toEqual({ series: '1.7' });
  });

  it("2 offers the cached build's version in Docker's package formats, for containerd.io only", () => {
    const packages = mkdtempSync(path.join(dir, 'packages-'));
    const cache = cacheWith('containerd github.com/containerd/containerd/v2 2.1.9+unknown ');
    expect(recordContainerdIo(packages, '2', cache)).toEqual({ series: '2', version: '2.1.9' });
    expect(containerdIo2Offer('containerd.io', 'deb', packages)).toBe('2.1.9-1');
    expect(containerdIo2Offer('containerd.io', 'rpm', packages)).toBe('2.1.9-1.1.el9');
    expect(containerdIo2Offer('docker-ce', 'rpm', packages)).toBeUndefined();
  });

  it('refuses 2 without a working 2.x build, and an unknown series, naming the fix', () => {
    const packages = mkdtempSync(path.join(dir, 'packages-'));
    expect(() => recordContainerdIo(packages, '2', path.join(dir, 'absent'))).toThrow(/needs a containerd 2\.x build in .*absent.*Fix: run tools\/setup\.sh/);
    expect(() => recordContainerdIo(packages, '2', cacheWith('containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1'))).toThrow(/needs a containerd 2\.x build/);
    expect(() => recordContainerdIo(packages, '3')).toThrow('KUMI_LAB_CONTAINERD_IO=3 is not a containerd.io series: use "1.7" (the default) or "2"');
  });
});
