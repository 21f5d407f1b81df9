import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hiddenMachinePackages, machinePackageFiles } from './machine-packages';

describe('machine package files a fresh lab host lacks', () => {
  it('keeps commands, units and config of a dpkg file list, canonical, without folders or docs', () => {
    const info = mkdtempSync(path.join(tmpdir(), 'kumi-dpkg-info-'));
    // The shape of bookworm's /var/lib/dpkg/info/containerd.list (merged /usr: /lib -> usr/lib).
    writeFileSync(
      path.join(info, 'demo.list'),
      ['/.', '/etc', '/etc/hostname', '/lib/systemd/system', '/bin/sh', '/usr/bin/env', '/usr/share/doc', '/usr/share/doc/dash/copyright', '/usr/bin/no-such-file'].join('\n'),
    );
    expect(machinePackageFiles('demo', info)).toEqual(['/etc/hostname', '/usr/bin/env', '/usr/bin/sh']);
    expect(machinePackageFiles('absent', info)).toEqual([]);
  });

  it('hides the runtime (with runc) and both load balancers', () => {
    expect(hiddenMachinePackages().sort()).toEqual(['containerd', 'haproxy', 'keepalived', 'runc']);
  });
});
