import { describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { buildBackupPlan, snapshotName } from './backup-plan';
import { buildCertsPlan, buildCertsRenewPlan } from './certs-plan';
import { runPlan } from './scheduler';
import type { ReadinessChecker } from './scheduler-types';
import { SelectionError } from './select';
import { type HostStepEvent, hostRunnerOf } from './step-handle';
import { CERTS_RENEW_STAGE_IDS, CERTS_STAGE_IDS, BACKUP_STAGE_IDS } from './types';

const paths = (plan: ReturnType<typeof buildCertsPlan>) => plan.stages.flatMap((stage) => stage.entries.map((entry) => entry.path));

describe('the certs, certs-renew and backup plans', () => {
  it('kumi certs: check-expiration on every control plane at once, each host reporting even if another fails', () => {
    const plan = buildCertsPlan(seedSpec());
    expect(plan.workflow).toBe('certs');
    expect(plan.stages.map((stage) => stage.id)).toEqual([...CERTS_STAGE_IDS]);
    expect(plan.stages[1]).toMatchObject({ concurrency: { kind: 'all' }, afterHostFailure: 'finish-stage' });
    expect(paths(plan)).toEqual(['certs-check/kubeadm.certs-check@master1', 'certs-check/kubeadm.certs-check@master2', 'certs-check/kubeadm.certs-check@master3']);
    expect(plan.stages[0]?.after[0]?.check).toEqual({ kind: 'agents-attached', hosts: ['master1', 'master2', 'master3'] });
  });

  it('kumi certs renew: one control plane at a time, API via the VIP and etcd healthy before each, kubeconfig refreshed after, stop on failure', () => {
    const plan = buildCertsRenewPlan(seedSpec(), { minResidualDays: 30 });
    expect(plan.stages.map((stage) => stage.id)).toEqual([...CERTS_RENEW_STAGE_IDS]);
    const renew = plan.stages[1];
    expect(renew).toMatchObject({ concurrency: { kind: 'one-at-a-time' }, afterHostFailure: 'stop' });
    expect(paths(plan)).toEqual([
      'renew-certs/kubeadm.certs-renew@master1',
      'renew-certs/kubeadm.admin-kubeconfig@master1',
      'renew-certs/kubeadm.certs-renew@master2',
      'renew-certs/kubeadm.admin-kubeconfig@master2',
      'renew-certs/kubeadm.certs-renew@master3',
      'renew-certs/kubeadm.admin-kubeconfig@master3',
    ]);
    const first = renew?.entries[0];
    expect(first?.params).toEqual({ kubeconfig: '/etc/kubernetes/admin.conf', minResidualDays: 30, force: false, timeoutMs: 300_000 });
    expect(first?.gates.map((gate) => gate.waitsFor)).toEqual(['API server healthy through 192.0.2.100:6443 (checked from master1)', 'every etcd member healthy (checked from master1)']);
    expect(buildCertsRenewPlan(seedSpec(), { force: true, only: ['renew-certs/*@master2'] }).stages[1]?.entries.map((entry) => [entry.path, entry.params.force])).toEqual([
      ['renew-certs/kubeadm.certs-renew@master2', true],
      // kubeadm.admin-kubeconfig takes no force.
      ['renew-certs/kubeadm.admin-kubeconfig@master2', undefined],
    ]);
  });

  it('runs the renewal of the next control plane only after the previous one finished, and not at all after a failure', async () => {
    const started: string[] = [];
    const runner = hostRunnerOf(async function* (request) {
      started.push(`${request.step}@${request.host}`);
      yield (request.host === 'master2' && request.step === 'kubeadm.certs-renew'
        ? { kind: 'failed', error: { code: 'COMMAND_FAILED', message: 'kube-apiserver did not come back' } }
        : { kind: 'done', outputs: {} }) as HostStepEvent;
    });
    const waited: string[] = [];
    const readiness: ReadinessChecker = { wait: async (condition) => void waited.push(condition.id) };
    const report = await runPlan(buildCertsRenewPlan(seedSpec()), { runner, readiness });
    expect(report.ok).toBe(false);
    expect(started).toEqual(['kubeadm.certs-renew@master1', 'kubeadm.admin-kubeconfig@master1', 'kubeadm.certs-renew@master2']);
    // Attach, then the two gates before master1 and before master2; the stage's closing checks never run.
    expect(waited).toEqual(['agents-attached', 'api-healthy', 'etcd-healthy', 'api-healthy', 'etcd-healthy']);
    expect(report.failures.map((failure) => failure.kind === 'step' && failure.path)).toEqual(['renew-certs/kubeadm.certs-renew@master2']);
  });

  it('kumi backup: one control plane\'s member, after etcd is healthy; a host that is not a control plane is refused with the choices', () => {
    const name = snapshotName('seed', new Date('2026-12-06T09:30:00.123Z'));
    expect(name).toBe('etcd-seed-20261206T093000Z.db');
    const plan = buildBackupPlan(seedSpec(), { name, host: 'master2' });
    expect(plan.stages.map((stage) => stage.id)).toEqual([...BACKUP_STAGE_IDS]);
    expect(paths(plan)).toEqual(['snapshot/etcd.snapshot@master2']);
    expect(plan.stages[1]?.before.map((gate) => gate.id)).toEqual(['etcd-healthy']);
    expect(plan.stages[1]?.entries[0]?.params).toEqual({ name, endpoint: 'https://127.0.0.1:2379' });
    expect(paths(buildBackupPlan(seedSpec(), { name }))).toEqual(['snapshot/etcd.snapshot@master1']);
    expect(() => buildBackupPlan(seedSpec(), { name, host: 'worker1' })).toThrow(SelectionError);
    expect(() => buildBackupPlan(seedSpec(), { name, host: 'worker1' })).toThrow(/pick one of master1, master2, master3/);
  });
});
