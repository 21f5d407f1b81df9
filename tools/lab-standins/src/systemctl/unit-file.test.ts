import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadUnit, parseUnitText, setting, settingList } from './unit-file';

describe('unit files', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'units-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('a drop-in resets ExecStart= and adds environment, as the kubeadm drop-in for the kubelet does', () => {
    const etc = path.join(root, 'etc');
    const lib = path.join(root, 'lib');
    mkdirSync(path.join(lib, 'kubelet.service.d'), { recursive: true });
    mkdirSync(etc, { recursive: true });
    writeFileSync(path.join(lib, 'kubelet.service'), '[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n[Install]\nWantedBy=multi-user.target\n');
    writeFileSync(
      path.join(lib, 'kubelet.service.d', '10-kubeadm.conf'),
      '[Service]\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nExecStart=\nExecStart=/usr/bin/kubelet \\\n  $KUBELET_KUBEADM_ARGS\n',
    );
    const unit = loadUnit('kubelet', [etc, lib]);
    expect(unit.path).toBe(path.join(lib, 'kubelet.service'));
    expect(settingList(unit, 'Service', 'ExecStart')).toEqual(['/usr/bin/kubelet    $KUBELET_KUBEADM_ARGS']);
    expect(setting(unit, 'Service', 'Restart')).toBe('always');
    expect(settingList(unit, 'Install', 'WantedBy')).toEqual(['multi-user.target']);

    symlinkSync('/dev/null', path.join(etc, 'kubelet.service'));
    expect(loadUnit('kubelet.service', [etc, lib]).masked).toBe(true);
  });

  it('ignores comments and keys outside sections', () => {
    expect(parseUnitText('Stray=1\n# x\n[Service]\n; y\nType=notify\n')).toEqual({ Service: { Type: ['notify'] } });
  });
});
