import { type HostStepEvent, hostRunnerOf } from './step-handle';
import { describe, expect, it } from 'vitest';
import { seedWithWorkers } from '../../test/seed-spec';
import { buildResetPlan } from './reset-plan';
import { runPlan } from './scheduler';
import type { HostRunner, ReadinessChecker, SchedulerEvent } from './scheduler-types';
import { SelectionError } from './select';

const alwaysReady: ReadinessChecker = { wait: async () => undefined };

/**
 * A runner whose steps end only when the test says so (a logical clock, no sleeps): each
 * request waits in `pending` until released with its result.
 */
function gatedRunner() {
  const started: string[] = [];
  const pending = new Map<string, (event: HostStepEvent) => void>();
  const runner: HostRunner = hostRunnerOf(async function* (request) {
    const key = `${request.host}:${request.step}`;
    started.push(key);
    yield await new Promise<HostStepEvent>((resolve) => pending.set(key, resolve));
  });
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    runner,
    started,
    running: () => [...pending.keys()],
    async release(key: string, event: HostStepEvent = { kind: 'done', outputs: {} }) {
      const resolve = pending.get(key);
      if (!resolve) throw new Error(`${key} is not running (running: ${[...pending.keys()].join(', ')})`);
      pending.delete(key);
      resolve(event);
      await settle();
    },
    settle,
  };
}

describe('the reset plan', () => {
  it('resets workers under workerConcurrency, then control planes one at a time in reverse order, then load balancers', () => {
    const plan = buildResetPlan(seedWithWorkers(7, (text) => text.replace('workerConcurrency: 5', 'workerConcurrency: 3')));
    expect(plan.workflow).toBe('reset');
    expect(plan.stages.map((stage) => [stage.id, stage.concurrency, stage.afterHostFailure ?? 'stop'])).toEqual([
      ['attach', { kind: 'all' }, 'stop'],
      ['reset-workers', { kind: 'cap', max: 3 }, 'finish-stage'],
      ['reset-control-planes', { kind: 'one-at-a-time' }, 'finish-stage'],
      ['reset-load-balancers', { kind: 'all' }, 'finish-stage'],
    ]);
    expect(plan.stages[2]?.entries.map((entry) => entry.path)).toEqual([
      'reset-control-planes/kubeadm.reset@master3',
      'reset-control-planes/kubeadm.reset@master2',
      'reset-control-planes/kubeadm.reset@master1',
    ]);
    expect(plan.stages[3]?.entries.map((entry) => `${entry.host}:${entry.step}:${String(entry.params.ensure)}`)).toEqual([
      'lb1:lb.keepalived:absent',
      'lb1:lb.haproxy:absent',
      'lb2:lb.keepalived:absent',
      'lb2:lb.haproxy:absent',
    ]);
  });

  it('narrows to one host or to --only paths, and refuses a host the spec lacks', () => {
    const spec = seedWithWorkers(2);
    expect(buildResetPlan(spec, { host: 'lb1' }).stages.map((stage) => [stage.id, stage.entries.map((entry) => entry.path)])).toEqual([
      ['attach', []],
      ['reset-load-balancers', ['reset-load-balancers/lb.keepalived@lb1', 'reset-load-balancers/lb.haproxy@lb1']],
    ]);
    expect(buildResetPlan(spec, { only: ['reset-workers'] }).stages.flatMap((stage) => stage.entries.map((entry) => entry.host))).toEqual(['worker1', 'worker2']);
    expect(() => buildResetPlan(spec, { host: 'lb9' })).toThrow(SelectionError);
    expect(() => buildResetPlan(spec, { only: ['reset-etcd'] })).toThrow(/matches nothing/);
  });

  it('runs workers at most workerConcurrency at once and finishes the other workers after one failed, then stops', async () => {
    const plan = buildResetPlan(seedWithWorkers(4, (text) => text.replace('workerConcurrency: 5', 'workerConcurrency: 2')));
    const gate = gatedRunner();
    const events: SchedulerEvent[] = [];
    const run = runPlan(plan, { runner: gate.runner, readiness: alwaysReady, onEvent: (event) => events.push(event) });
    await gate.settle();
    expect(gate.running()).toEqual(['worker1:kubeadm.reset', 'worker2:kubeadm.reset']);
    await gate.release('worker1:kubeadm.reset', { kind: 'failed', error: { code: 'COMMAND_FAILED', message: 'kubeadm reset failed' } });
    // The failure does not stop the stage: the next worker takes the free slot.
    expect(gate.running()).toEqual(['worker2:kubeadm.reset', 'worker3:kubeadm.reset']);
    await gate.release('worker2:kubeadm.reset');
    await gate.release('worker3:kubeadm.reset');
    await gate.release('worker4:kubeadm.reset');
    const report = await run;
    expect(report.ok).toBe(false);
    expect(report.failures.map((failure) => failure.host)).toEqual(['worker1']);
    // The stage failed, so no control plane or load balancer was touched.
    expect(gate.started).toEqual(['worker1:kubeadm.reset', 'worker2:kubeadm.reset', 'worker3:kubeadm.reset', 'worker4:kubeadm.reset']);
    expect(events.filter((event) => event.kind === 'host-end').map((event) => (event.kind === 'host-end' ? `${event.host}:${event.ok}` : ''))).toEqual([
      'worker1:false',
      'worker2:true',
      'worker3:true',
      'worker4:true',
    ]);
  });

  it('resets control planes strictly one after another, last joined first, and load balancers only after them', async () => {
    const plan = buildResetPlan(seedWithWorkers(1));
    const gate = gatedRunner();
    const run = runPlan(plan, { runner: gate.runner, readiness: alwaysReady });
    await gate.settle();
    await gate.release('worker1:kubeadm.reset');
    for (const host of ['master3', 'master2', 'master1']) {
      expect(gate.running()).toEqual([`${host}:kubeadm.reset`]);
      await gate.release(`${host}:kubeadm.reset`);
    }
    expect(gate.running()).toEqual(['lb1:lb.keepalived', 'lb2:lb.keepalived']);
    await gate.release('lb1:lb.keepalived', { kind: 'failed', error: { code: 'COMMAND_FAILED', message: 'systemctl failed' } });
    await gate.release('lb2:lb.keepalived');
    // lb1 stopped at its failure; lb2 still took HAProxy down.
    expect(gate.running()).toEqual(['lb2:lb.haproxy']);
    await gate.release('lb2:lb.haproxy');
    const report = await run;
    expect(report.entries.filter((entry) => entry.host === 'lb1').map((entry) => `${entry.step}:${entry.status}`)).toEqual(['lb.keepalived:failed', 'lb.haproxy:not-run']);
  });
});
