import { describe, expect, it } from 'vitest';
import { seedWithWorkers } from '../../test/seed-spec';
import { hostRunnerOf } from './step-handle';
import { runPlan } from './scheduler';
import type { ReadinessChecker, StepRunRequest } from './scheduler-types';
import { SelectionError } from './select';
import { UPGRADE_STAGE_IDS } from './types';
import { buildUpgradePlan, UpgradePathError } from './upgrade-plan';

const spec = seedWithWorkers(3, (text) => text.replace('version: "1.33.2"', 'version: "1.34.1"').replace(/workerConcurrency: \d+/, 'workerConcurrency: 2'));
const lines = (stage: string) => buildUpgradePlan(spec).stages.find((candidate) => candidate.id === stage)?.entries.map((entry) => `${entry.step}@${entry.host}${entry.runOn ? ` on ${entry.runOn}` : ''}`);

describe('the upgrade plan', () => {
  it('has the stages of UPGRADE_STAGE_IDS, in order, and every path once', () => {
    const paths = buildUpgradePlan(spec).stages.flatMap((stage) => stage.entries.map((entry) => entry.path));
    expect(new Set(paths).size).toBe(paths.length);
    expect(buildUpgradePlan(spec).stages.map((stage) => stage.id)).toEqual([...UPGRADE_STAGE_IDS]);
    expect(buildUpgradePlan(spec).workflow).toBe('upgrade');
  });

  it('the gate, then kubeadm everywhere, then the first control plane: apply, drain, kubelet and kubectl with a restart, uncordon', () => {
    expect(lines('upgrade-gate')).toEqual(['kubernetes.packages@master1', 'kubeadm.upgrade-plan@master1']);
    expect(lines('upgrade-kubeadm')).toEqual(['master2', 'master3', 'worker1', 'worker2', 'worker3'].map((host) => `kubernetes.packages@${host}`));
    expect(lines('upgrade-first-control-plane')).toEqual(['kubeadm.upgrade-apply@master1', 'kube.drain@master1', 'kubernetes.packages@master1', 'kube.uncordon@master1']);
    const [kubeadm] = buildUpgradePlan(spec).stages[1]?.entries ?? [];
    const [apply, , kubelet] = buildUpgradePlan(spec).stages[3]?.entries ?? [];
    expect(kubeadm?.params).toMatchObject({ kubernetesVersion: '1.34.1', packages: ['kubeadm'], restartKubelet: false });
    expect(apply?.params).toEqual({ version: '1.34.1', kubeconfig: '/etc/kubernetes/admin.conf' });
    expect(kubelet?.params).toMatchObject({ packages: ['kubelet', 'kubectl'], restartKubelet: true, prePullImages: false });
  });

  it('other control planes one at a time with kubeadm upgrade node, each after etcd is healthy and the one before is Ready', () => {
    const stage = buildUpgradePlan(spec).stages.find((candidate) => candidate.id === 'upgrade-control-planes');
    expect(stage?.concurrency).toEqual({ kind: 'one-at-a-time' });
    expect(lines('upgrade-control-planes')?.slice(0, 4)).toEqual(['kubeadm.upgrade-node@master2', 'kube.drain@master2', 'kubernetes.packages@master2', 'kube.uncordon@master2']);
    const master3 = stage?.entries.find((entry) => entry.host === 'master3');
    expect(master3?.gates.map((gate) => gate.waitsFor)).toEqual(['every etcd member healthy (checked from master1)', 'node(s) Ready: master2 (checked from master1)']);
  });

  it("workers under the spec's cap, drained and uncordoned from the first control plane", () => {
    const stage = buildUpgradePlan(spec).stages.find((candidate) => candidate.id === 'upgrade-workers');
    expect(stage?.concurrency).toEqual({ kind: 'cap', max: 2 });
    expect(lines('upgrade-workers')?.slice(0, 4)).toEqual(['kubeadm.upgrade-node@worker1', 'kube.drain@worker1 on master1', 'kubernetes.packages@worker1', 'kube.uncordon@worker1 on master1']);
    expect(stage?.entries.map((entry) => entry.path)).toContain('upgrade-workers/kube.drain@worker2');
  });

  it('refuses a jump of two minors with the path, and a downgrade', () => {
    expect(() => buildUpgradePlan(spec, { from: '1.32.2' })).toThrow(UpgradePathError);
    expect(() => buildUpgradePlan(spec, { from: '1.32.2' })).toThrow(/Fix: upgrade to 1\.33, then 1\.34/);
    expect(() => buildUpgradePlan(spec, { from: '1.35.0' })).toThrow(/does not downgrade/);
    expect(buildUpgradePlan(spec, { from: '1.33.2' }).stages).toHaveLength(6);
  });

  it('--only narrows it, an unknown pattern is refused', () => {
    const plan = buildUpgradePlan(spec, { only: ['upgrade-workers/*@worker3'] });
    expect(plan.stages.map((stage) => stage.id)).toEqual(['attach', 'upgrade-workers']);
    expect(plan.stages[0]?.after[0]?.check).toEqual({ kind: 'agents-attached', hosts: ['worker3', 'master1'] });
    expect(() => buildUpgradePlan(spec, { only: ['nope'] })).toThrow(SelectionError);
  });

  it('the scheduler runs a worker drain on the first control plane, in the worker\'s lane', async () => {
    const plan = buildUpgradePlan(spec, { only: ['upgrade-workers/*@worker1'] });
    const sent: string[] = [];
    const runner = hostRunnerOf(async function* (request: StepRunRequest) {
      sent.push(`${request.step}:${request.host}`);
      yield { kind: 'done', outputs: {} };
    });
    const ready: ReadinessChecker = { wait: async () => undefined };
    const report = await runPlan(plan, { runner, readiness: ready });
    expect(report.ok).toBe(true);
    expect(sent).toEqual(['kubeadm.upgrade-node:worker1', 'kube.drain:master1', 'kubernetes.packages:worker1', 'kube.uncordon:master1']);
    expect(report.entries.map((entry) => `${entry.path}:${entry.status}`)).toContain('upgrade-workers/kube.drain@worker1:done');
  });
});
