import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { hiddenMachinePackages, machinePackageFiles, placedPath } from './machine-packages';

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

  it('hides the runtime (with runc), both load balancers and the CNI plugins', () => {
    expect(hiddenMachinePackages().sort()).toEqual(['containerd', 'containernetworking-plugins', 'haproxy', 'keepalived', 'runc']);
  });

  it.skipIf(!existsSync('/usr/lib/cni/bridge'))("Debian's plugins are hidden; kubernetes-cni puts them in /opt/cni/bin, without Debian's cni-dhcp units", () => {
    const files = machinePackageFiles('containernetworking-plugins');
    expect(files).toContain('/usr/lib/cni/bridge');
    expect(files).toContain('/usr/lib/systemd/system/cni-dhcp.service');
    expect(files.map((f) => placedPath('kubernetes-cni', f)).filter((f) => f !== undefined)).toEqual(files.filter((f) => f.startsWith('/usr/lib/cni/')).map((f) => f.replace('/usr/lib/cni/', '/opt/cni/bin/')));
    expect(placedPath('containerd', '/usr/bin/containerd')).toBe('/usr/bin/containerd');
  });
});
