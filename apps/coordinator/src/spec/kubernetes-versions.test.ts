import { describe, expect, it } from 'vitest';
import { compareKubernetesVersions, upgradeRefusal } from './kubernetes-versions';

describe('upgradeRefusal (kubeadm policy.go: one minor at a time; kumi never downgrades)', () => {
  it.each([
    ['1.32.2', '1.33.2'],
    ['1.32.2', '1.32.4'],
    ['1.33.2', '1.33.2'],
  ])('%s → %s is allowed', (from, to) => {
    expect(upgradeRefusal(from, to)).toBeUndefined();
  });

  it('a jump of two minors names the path to take', () => {
    expect(upgradeRefusal('1.31.2', '1.33.2')).toMatch(/one minor version at a time\. Fix: upgrade to 1\.32, then 1\.33/);
  });

  it('a downgrade is refused, across and within a minor', () => {
    expect(upgradeRefusal('1.33.2', '1.32.2')).toMatch(/kumi does not downgrade\. Fix: set kubernetes.version back to "1.33.2"/);
    expect(upgradeRefusal('1.33.2', '1.33.1')).toMatch(/does not downgrade/);
  });

  it('compares numerically, not as text', () => {
    expect(compareKubernetesVersions('1.9.0', '1.10.0')).toBe(-1);
    expect(compareKubernetesVersions('1.33.10', '1.33.9')).toBe(1);
  });
});
