import { describe, expect, it } from 'vitest';
import { resolveDnfSpec } from './dnf-spec';

const repo: Record<string, string> = { kubelet: '1.33.2-150500.1.1', 'containerd.io': '1.7.27-3.1.el9', 'cri-tools': '1.33.0-150500.1.1' };
const offered = (name: string) => repo[name];

describe('dnf install arguments (hawkey subject forms)', () => {
  it('bare names, name.arch', () => {
    expect(resolveDnfSpec('containerd.io', offered)).toEqual({ name: 'containerd.io', version: undefined });
    expect(resolveDnfSpec('kubelet.x86_64', offered)).toEqual({ name: 'kubelet', version: undefined });
  });
  it('name-version and name-version-release, as kumi pins kubelet-1.33.2', () => {
    expect(resolveDnfSpec('kubelet-1.33.2', offered)).toEqual({ name: 'kubelet', version: '1.33.2' });
    expect(resolveDnfSpec('kubelet-1.33.2-150500.1.1', offered)).toEqual({ name: 'kubelet', version: '1.33.2-150500.1.1' });
    expect(resolveDnfSpec('cri-tools-1.33.*', offered)).toEqual({ name: 'cri-tools', version: '1.33.*' });
  });
  it('a version the repository does not offer, or an unknown name: no match', () => {
    expect(resolveDnfSpec('kubelet-1.32.0', offered)).toBeUndefined();
    expect(resolveDnfSpec('kubelet-1.33', offered)).toBeUndefined();
    expect(resolveDnfSpec('nope', offered)).toBeUndefined();
  });
});
