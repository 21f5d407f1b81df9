import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partOfDependents } from './part-of';

describe('PartOf= dependents', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'part-of-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('finds the units naming a service in PartOf= (one way, masked ones left out, drop-ins count)', () => {
    const etc = path.join(root, 'etc');
    const lib = path.join(root, 'lib');
    mkdirSync(path.join(etc, 'extra.socket.d'), { recursive: true });
    mkdirSync(lib, { recursive: true });
    writeFileSync(path.join(lib, 'cri-docker.socket'), '[Unit]\nPartOf=cri-docker.service\n[Socket]\nListenStream=%t/cri-dockerd.sock\n');
    writeFileSync(path.join(lib, 'cri-docker.service'), '[Unit]\nRequires=cri-docker.socket\n[Service]\nExecStart=/usr/bin/cri-dockerd\n');
    writeFileSync(path.join(lib, 'docker.socket'), '[Unit]\nPartOf=docker.service\n[Socket]\nListenStream=/run/docker.sock\n');
    writeFileSync(path.join(lib, 'extra.socket'), '[Socket]\nListenStream=/run/extra.sock\n');
    writeFileSync(path.join(etc, 'extra.socket.d', 'part.conf'), '[Unit]\nPartOf=other.service cri-docker\n');
    writeFileSync(path.join(lib, 'masked.socket'), '[Unit]\nPartOf=cri-docker.service\n');
    symlinkSync('/dev/null', path.join(etc, 'masked.socket'));
    expect(partOfDependents('cri-docker', [etc, lib])).toEqual(['cri-docker.socket', 'extra.socket']);
    expect(partOfDependents('cri-docker.socket', [etc, lib])).toEqual([]);
    expect(partOfDependents('docker.service', [etc, lib])).toEqual(['docker.socket']);
  });
});
