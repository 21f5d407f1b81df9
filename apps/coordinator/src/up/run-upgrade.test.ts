import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../journal/journal';
import { recordedClusterVersion, runUpgrade } from './run-upgrade';

const record = (path: string, host: string, outputs: Record<string, unknown>, status: JournalRecord['status'] = 'done'): JournalRecord => ({ time: '', run: 'r', path, host, status, outputs });

describe('recordedClusterVersion', () => {
  it('is the kubeadm package kumi up installed on the first control plane, until an upgrade applied a newer one', () => {
    const built = [record('prepare/kubernetes.packages', 'master2', { kubeadm: '1.31.0-1.1' }), record('prepare/kubernetes.packages', 'master1', { kubeadm: '1.32.2-1.1' })];
    expect(recordedClusterVersion(built, 'master1')).toBe('1.32.2');
    expect(recordedClusterVersion([...built, record('upgrade-first-control-plane/kubeadm.upgrade-apply', 'master1', { kubernetesVersion: '1.33.2' })], 'master1')).toBe('1.33.2');
    expect(recordedClusterVersion([...built, record('upgrade-first-control-plane/kubeadm.upgrade-apply', 'master1', {}, 'failed')], 'master1')).toBe('1.32.2');
  });

  it('is unknown without a record (the kubeadm gate then checks the live cluster)', () => {
    expect(recordedClusterVersion([], 'master1')).toBeUndefined();
  });
});

describe('kumi upgrade --to', () => {
  it('must repeat the spec\'s version: exit 2 with the fix, before anything opens', async () => {
    const rejected = runUpgrade({ specPath: new URL('../../../../examples/seed-ha.yaml', import.meta.url).pathname, to: '1.34.1', only: [], skip: [], yes: true, json: true, selection: {}, attachTimeoutMs: 1, detachGraceMs: 1 });
    await expect(rejected).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/--to 1\.34\.1 differs from kubernetes.version "1\.33\.2" in [^:]*: the spec records the cluster.s version \(kumi up refuses a spec at another version than the cluster.s\)\. Fix: set kubernetes.version: "1\.34\.1"/) });
  });
});
