import { Secret } from '@kumi/steps';
import { hostRunnerOf } from './step-handle';
import { describe, expect, it } from 'vitest';
import { seedWithWorkers } from '../../test/seed-spec';
import { buildPlan } from './build';
import { failuresByHost, runPlan } from './scheduler';
import type { EntryError, EntryInputsProvider, HostRunner, ReadinessChecker, SchedulerEvent, StepRunRequest } from './scheduler-types';
import type { Plan, PlanEntry, Readiness } from './types';

interface Run {
  host: string;
  step: string;
  stage: string;
  start: number;
  end: number;
  /** Entries running (on any host) when this one started, itself included. */
  activeAtStart: number;
  secrets: string[];
  params: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A HostRunner that records when each step ran and what it got. */
function fakeRunner(plan: Plan, behave: { delayMs?: (r: StepRunRequest) => number; fail?: (r: StepRunRequest) => EntryError | undefined } = {}) {
  let tick = 0;
  const active = new Set<string>();
  const runs: Run[] = [];
  // The stages a (step, host that runs it) pair appears in, in plan order: runs come in that order.
  const stagesOf = new Map<string, string[]>();
  for (const entry of plan.stages.flatMap((stage) => stage.entries)) {
    const key = `${entry.step}@${entry.runOn ?? entry.host}`;
    stagesOf.set(key, [...(stagesOf.get(key) ?? []), entry.stage]);
  }
  const runner: HostRunner = hostRunnerOf(async function* (request) {
    const key = `${request.host}/${request.step}`;
    // Like an agent: one step at a time per host; the next one waits (token entries of parallel lanes share a control plane).
    for (let tries = 0; [...active].some((running) => running.startsWith(`${request.host}/`)); tries++) {
      if (tries > 1000) throw new Error(`LOCKED: ${request.host} still runs a step`);
      await sleep(1);
    }
    active.add(key);
    const run: Run = {
      host: request.host,
      step: request.step,
      stage: stagesOf.get(`${request.step}@${request.host}`)?.shift() ?? '?',
      start: ++tick,
      end: 0,
      activeAtStart: active.size,
      secrets: Object.keys(request.secrets),
      params: request.params,
    };
    runs.push(run);
    try {
      yield { kind: 'output', stream: 'stdout', line: `running ${request.step}` };
      await sleep(behave.delayMs?.(request) ?? 2);
      const error = behave.fail?.(request);
      yield error ? { kind: 'failed', error } : { kind: 'done', outputs: { step: request.step } };
    } finally {
      run.end = ++tick;
      active.delete(key);
    }
  });
  return { runner, runs };
}

/** A readiness checker that always holds, recording what it was asked for. */
function fakeReadiness(fail?: (readiness: Readiness, entry?: PlanEntry) => string | undefined) {
  const waited: Array<{ id: string; path?: string }> = [];
  const readiness: ReadinessChecker = {
    async wait(condition, context) {
      waited.push({ id: condition.id, ...(context.entry ? { path: context.entry.path } : {}) });
      context.onProgress('checking');
      const message = fail?.(condition, context.entry);
      if (message) throw new Error(message);
    },
  };
  return { readiness, waited };
}

/** Hands out fake secrets and a CA hash; records prepare/finish calls. */
function fakeBroker(): EntryInputsProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async prepare(entry) {
      calls.push(`prepare ${entry.path}`);
      return {
        secrets: Object.fromEntries(entry.secrets.map((need) => [need.name, new Secret(`${need.name}-value-for-${entry.host}`)])),
        params: { caCertHashes: [`sha256:${'c'.repeat(64)}`], tokenId: 'abcdef' },
      };
    },
    async finish(entry, outcome) {
      calls.push(`finish ${entry.path} ${outcome.status}`);
    },
  };
}

const commandFailed = (message: string): EntryError => ({ code: 'COMMAND_FAILED', message, exitCode: 1, stderrTail: 'boom', command: 'false' });

describe('runPlan', () => {
  const plan = buildPlan(seedWithWorkers(12, (text) => text.replace('workerConcurrency: 5', 'workerConcurrency: 4')));

  it('runs stages strictly in order and every entry once', async () => {
    const { runner, runs } = fakeRunner(plan);
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker() });
    expect(report.ok).toBe(true);
    expect(report.entries.every((entry) => entry.status === 'done')).toBe(true);
    expect(runs).toHaveLength(plan.stages.flatMap((stage) => stage.entries).length);
    const order: string[] = plan.stages.map((stage) => stage.id);
    for (const later of runs) {
      for (const earlier of runs) {
        if (order.indexOf(earlier.stage) < order.indexOf(later.stage)) expect(earlier.end, `${earlier.stage} before ${later.stage}`).toBeLessThan(later.start);
      }
    }
  });

  it('never overlaps control-plane joins, honours the worker cap, and runs prepare on all hosts at once', async () => {
    const { runner, runs } = fakeRunner(plan, { delayMs: () => 5 });
    const events: SchedulerEvent[] = [];
    await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), onEvent: (event) => events.push(event) });
    const maxActive = (stage: string) => Math.max(...runs.filter((run) => run.stage === stage).map((run) => run.activeAtStart));
    // Lanes (hosts) of a stage at work at once: from a host's first entry start to its host-end.
    const maxLanes = (stage: string) => {
      const busy = new Set<string>();
      let most = 0;
      for (const event of events.filter((e) => e.stage === stage)) {
        if (event.kind === 'entry-start') busy.add(event.host);
        if (event.kind === 'host-end') busy.delete(event.host);
        most = Math.max(most, busy.size);
      }
      return most;
    };
    expect(maxLanes('join-control-planes')).toBe(1);
    expect(maxActive('join-control-planes')).toBe(1);
    expect(maxLanes('join-workers')).toBe(4);
    expect(maxActive('prepare')).toBe(17);
    // A host runs its entries in plan order, one after another.
    const master2 = runs.filter((run) => run.stage === 'prepare' && run.host === 'master2');
    expect(master2.map((run) => run.step)).toEqual(['swap.off', 'kernel.modules', 'sysctl.kubernetes', 'firewall', 'runtime.containerd', 'kubernetes.packages']);
    master2.slice(1).forEach((run, index) => expect(run.start).toBeGreaterThan(master2[index]?.end as number));
  });

  it("checks a control plane's gates right before its lane starts (before its certificates are uploaded)", async () => {
    const { runner } = fakeRunner(plan);
    const { readiness, waited } = fakeReadiness();
    await runPlan(plan, { runner, readiness, inputs: fakeBroker() });
    expect(waited.filter((w) => w.path === 'join-control-planes/kubeadm.upload-certs@master3').map((w) => w.id)).toEqual([
      'api-healthy', 'etcd-healthy', 'endpoint-reachable', 'etcd-client-reachable', 'etcd-peer-reachable',
    ]);
    expect(waited[0]).toEqual({ id: 'agents-attached' });
  });

  it('runs exactly the (host, step) pairs --only / --skip select', async () => {
    const selected = buildPlan(seedWithWorkers(3), { only: ['prepare@worker*', 'join-workers'], skip: ['prepare/firewall', '*@worker3'] });
    const { runner, runs } = fakeRunner(selected);
    await runPlan(selected, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker() });
    const ran = runs.map((run) => `${run.step}@${run.host}`).sort();
    const expected = ['worker1', 'worker2'].flatMap((host) => [
      ...['swap.off', 'kernel.modules', 'sysctl.kubernetes', 'runtime.containerd', 'kubernetes.packages', 'kubeadm.join'].map((step) => `${step}@${host}`),
      // The join's lane came along: its token made and deleted on master1.
      'kubeadm.token-create@master1',
      'kubeadm.token-delete@master1',
    ]);
    expect(ran).toEqual(expected.sort());
  });

  it('stops the stage at a failure, lets in-flight entries finish, and lists failures per host', async () => {
    const failing = ['master2', 'worker5'];
    const { runner, runs } = fakeRunner(plan, {
      // The failing firewalls end well before the others, which are still in flight then.
      delayMs: (r) => (r.step !== 'firewall' ? 1 : failing.includes(r.host) ? 15 : 60),
      fail: (r) => (r.step === 'firewall' && failing.includes(r.host) ? commandFailed(`firewall-cmd failed on ${r.host}`) : undefined),
    });
    const events: SchedulerEvent[] = [];
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), onEvent: (event) => events.push(event) });
    expect(report.ok).toBe(false);
    const byHost = failuresByHost(report);
    expect([...byHost.keys()].sort()).toEqual(['master2', 'worker5']);
    expect(byHost.get('master2')).toEqual([
      { kind: 'step', stage: 'prepare', host: 'master2', step: 'firewall', path: 'prepare/firewall@master2', error: commandFailed('firewall-cmd failed on master2') },
    ]);
    // Every firewall started together and finished; nothing after them started.
    expect(runs.filter((run) => run.step === 'firewall')).toHaveLength(17);
    expect(runs.every((run) => run.end > 0)).toBe(true);
    expect(runs.filter((run) => run.step === 'runtime.containerd' || run.step === 'lb.haproxy' || run.stage === 'endpoint')).toEqual([]);
    expect(report.entries.find((entry) => entry.path === 'prepare/runtime.containerd@master1')?.status).toBe('not-run');
    expect(report.entries.find((entry) => entry.path === 'init/kubeadm.init@master1')?.status).toBe('not-run');
    expect(events.filter((event) => event.kind === 'stage-end').map((event) => event.kind === 'stage-end' && `${event.stage}:${event.status}`)).toEqual([
      'attach:done', 'preflight:done', 'prepare:failed',
    ]);
  });

  it('skips what isDone reports (resume from a journal)', async () => {
    const { runner, runs } = fakeRunner(plan);
    const done = (entry: PlanEntry) => ['preflight', 'prepare', 'endpoint', 'init'].includes(entry.stage) || entry.path === 'join-control-planes/kubeadm.join@master2';
    const events: SchedulerEvent[] = [];
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), isDone: done, onEvent: (e) => events.push(e) });
    expect(report.ok).toBe(true);
    expect(report.entries.filter((entry) => ['preflight', 'prepare', 'endpoint', 'init'].includes(entry.stage)).every((entry) => entry.status === 'already-done')).toBe(true);
    expect(runs.filter((run) => run.step === 'kubeadm.join' && run.host.startsWith('master')).map((run) => run.host)).toEqual(['master3']);
    expect(report.entries.find((entry) => entry.path === 'join-control-planes/kubeadm.join@master2')?.status).toBe('already-done');
    expect(events.some((e) => e.kind === 'entry-end' && e.status === 'already-done' && e.path === 'init/kubeadm.init@master1')).toBe(true);
  });

  it('gets secrets and runtime inputs from the broker only for entries that need them, and cleans up after', async () => {
    const { runner, runs } = fakeRunner(plan);
    const broker = fakeBroker();
    await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: broker });
    const withSecrets = runs.filter((run) => run.secrets.length > 0).map((run) => `${run.step}@${run.host}:${run.secrets.join('+')}`);
    expect(withSecrets.slice(0, 7)).toEqual([
      'kubeadm.init@master1:bootstrapToken+certificateKey',
      // master2's lane: the certificates and the token made on master1, the join gets both.
      'kubeadm.upload-certs@master1:certificateKey',
      'kubeadm.token-create@master1:bootstrapToken',
      'kubeadm.join@master2:bootstrapToken+certificateKey',
      'kubeadm.upload-certs@master1:certificateKey',
      'kubeadm.token-create@master1:bootstrapToken',
      'kubeadm.join@master3:bootstrapToken+certificateKey',
    ]);
    // init + 2 × 3 for the control planes + 12 × 2 for the workers.
    expect(withSecrets).toHaveLength(31);
    expect(runs.find((run) => run.step === 'kubeadm.join')?.params.caCertHashes).toEqual([`sha256:${'c'.repeat(64)}`]);
    expect(runs.find((run) => run.step === 'preflight')?.params).not.toHaveProperty('caCertHashes');
    expect(broker.calls.filter((call) => !call.includes('preflight/')).slice(0, 4)).toEqual([
      'prepare init/kubeadm.init@master1',
      'finish init/kubeadm.init@master1 done',
      'prepare init/kubeadm.token-delete@master1',
      'finish init/kubeadm.token-delete@master1 done',
    ]);
  });

  it("runs a lane's cleanup entry after its join failed (the token is deleted on the control plane that made it), and the stage still fails", async () => {
    const { runner, runs } = fakeRunner(plan, { fail: (r) => (r.step === 'kubeadm.join' && r.host === 'master2' ? commandFailed('kubeadm join failed') : undefined) });
    const events: SchedulerEvent[] = [];
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), onEvent: (e) => events.push(e) });
    expect(report.ok).toBe(false);
    expect(report.failures.map((failure) => failure.kind === 'step' && failure.path)).toEqual(['join-control-planes/kubeadm.join@master2']);
    const status = (path: string) => report.entries.find((entry) => entry.path === path)?.status;
    expect(status('join-control-planes/kubeadm.token-delete@master2')).toBe('done');
    expect(status('join-control-planes/kubeadm.admin-kubeconfig@master2')).toBe('not-run');
    expect(status('join-control-planes/kubeadm.upload-certs@master3')).toBe('not-run');
    const join = runs.findIndex((run) => run.step === 'kubeadm.join' && run.host === 'master2');
    expect(runs.slice(join).map((run) => `${run.step}@${run.host}`)).toEqual(['kubeadm.join@master2', 'kubeadm.token-delete@master1']);
    expect(events.filter((e) => e.kind === 'host-end' && e.host === 'master2').map((e) => e.kind === 'host-end' && e.ok)).toEqual([true, true, true, false]);
    expect(events.find((e) => e.kind === 'stage-end' && e.stage === 'join-control-planes')).toMatchObject({ status: 'failed' });
  });

  it('still runs the cleanup of a lane cut short by a cancel (the join token is deleted), and reports the run cancelled', async () => {
    const controller = new AbortController();
    const { runner, runs } = fakeRunner(plan, {
      fail: (r) => {
        if (r.step !== 'kubeadm.join' || r.host !== 'worker1') return undefined;
        controller.abort();
        return { code: 'CANCELLED', message: 'cancelled' };
      },
    });
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), signal: controller.signal });
    expect(report.cancelled).toBe(true);
    expect(report.ok).toBe(false);
    const statusOf = (step: string, host: string) => report.entries.find((entry) => entry.path === `join-workers/${step}@${host}`)?.status;
    expect(statusOf('kubeadm.token-delete', 'worker1')).toBe('done');
    // Every lane in flight (its token made) deletes its token; a lane never begun has none to delete.
    const workers = [...new Set(report.entries.filter((entry) => entry.stage === 'join-workers').map((entry) => entry.host))];
    const begun = workers.filter((host) => statusOf('kubeadm.token-create', host) === 'done');
    expect(begun.length).toBeGreaterThan(0);
    expect(begun.length).toBeLessThan(workers.length);
    for (const host of workers) expect(statusOf('kubeadm.token-delete', host), host).toBe(begun.includes(host) ? 'done' : 'not-run');
    expect(runs.filter((run) => run.step === 'kubeadm.token-delete' && run.stage === 'join-workers')).toHaveLength(begun.length);
  });

  it('cancels a cleanup that outlasts its grace after a cancel; the next run has the token id', async () => {
    const controller = new AbortController();
    const cleanupSignals: AbortSignal[] = [];
    const runner: HostRunner = hostRunnerOf(async function* (request) {
      if (request.step === 'kubeadm.join') {
        controller.abort();
        yield { kind: 'failed', error: { code: 'CANCELLED', message: 'cancelled' } };
        return;
      }
      if (request.step === 'kubeadm.token-delete' && request.signal.aborted === false && controller.signal.aborted) {
        cleanupSignals.push(request.signal);
        // Hangs until its own signal says stop: the grace, not the run's cancel, ends it.
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
        yield { kind: 'failed', error: { code: 'CANCELLED', message: 'cancelled' } };
        return;
      }
      yield { kind: 'done', outputs: {} };
    });
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), signal: controller.signal, cleanupGraceMs: 20 });
    expect(report.cancelled).toBe(true);
    expect(cleanupSignals).toHaveLength(1);
    expect(cleanupSignals[0]!.aborted).toBe(true);
    const deletes = report.entries.filter((entry) => entry.step === 'kubeadm.token-delete' && entry.stage !== 'init');
    expect(deletes.filter((entry) => entry.status === 'failed')).toHaveLength(1);
  }, 5_000);

  it('fails an entry whose broker leaves a secret out, without running it', async () => {
    const { runner, runs } = fakeRunner(plan);
    const broker: EntryInputsProvider = { prepare: async () => ({ secrets: {}, params: { caCertHashes: ['sha256:x'] } }) };
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: broker });
    // init's token-delete is a cleanup entry: it is still attempted (this broker gives it no token id either).
    expect(report.failures).toEqual([
      expect.objectContaining({ kind: 'step', host: 'master1', step: 'kubeadm.init', error: expect.objectContaining({ code: 'INPUTS_UNAVAILABLE', message: expect.stringMatching(/bootstrapToken, certificateKey/) }) }),
      expect.objectContaining({ kind: 'step', host: 'master1', step: 'kubeadm.token-delete', error: expect.objectContaining({ code: 'INPUTS_UNAVAILABLE' }) }),
    ]);
    expect(runs.some((run) => run.step === 'kubeadm.init')).toBe(false);
  });

  it('fails an entry whose broker cannot mint, and still lets the broker clean up', async () => {
    const { runner, runs } = fakeRunner(plan);
    const calls: string[] = [];
    const broker: EntryInputsProvider = {
      prepare: async (entry) => {
        if (entry.step === 'kubeadm.join') throw new Error('kubeadm token create exited 1');
        return { secrets: Object.fromEntries(entry.secrets.map((need) => [need.name, new Secret('s')])), params: { tokenId: 'abcdef' } };
      },
      finish: async (entry, outcome) => {
        calls.push(`${entry.path} ${outcome.status}`);
      },
    };
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: broker });
    expect(report.failures).toEqual([
      expect.objectContaining({ host: 'master2', error: { code: 'INPUTS_UNAVAILABLE', message: 'could not get join-control-planes/kubeadm.join@master2 its secrets or inputs: kubeadm token create exited 1' } }),
    ]);
    expect(calls).toContain('join-control-planes/kubeadm.join@master2 failed');
    expect(runs.some((run) => run.step === 'kubeadm.join')).toBe(false);
  });

  it('redacts secret values a host echoes in output or errors', async () => {
    const leaky: HostRunner = hostRunnerOf(async function* (request) {
      const token = request.secrets.bootstrapToken?.reveal();
      if (!token) {
        yield { kind: 'done', outputs: {} };
        return;
      }
      yield { kind: 'output', stream: 'stderr', line: `using ${token}` };
      yield { kind: 'failed', error: { code: 'COMMAND_FAILED', message: `bad token ${token}`, stderrTail: token } };
    });
    const events: SchedulerEvent[] = [];
    const report = await runPlan(plan, { runner: leaky, readiness: fakeReadiness().readiness, inputs: fakeBroker(), onEvent: (e) => events.push(e) });
    const text = JSON.stringify({ events, report });
    expect(text).not.toContain('bootstrapToken-value-for-master1');
    expect(text).toContain('bad token ***');
  });

  it('stops at a failed gate, naming the host and what it waited for', async () => {
    const { runner, runs } = fakeRunner(plan);
    const { readiness } = fakeReadiness((condition, entry) => (condition.id === 'etcd-healthy' && entry?.host === 'master3' ? 'etcd member master2 unhealthy' : undefined));
    const report = await runPlan(plan, { runner, readiness, inputs: fakeBroker() });
    expect(report.failures).toEqual([
      {
        kind: 'readiness',
        stage: 'join-control-planes',
        readiness: 'etcd-healthy',
        waitsFor: 'every etcd member healthy (checked from master1)',
        message: 'etcd member master2 unhealthy',
        host: 'master3',
        path: 'join-control-planes/kubeadm.upload-certs@master3',
      },
    ]);
    expect(runs.some((run) => run.host === 'master3' && run.step === 'kubeadm.join')).toBe(false);
    expect(runs.some((run) => run.stage === 'join-workers')).toBe(false);
  });

  it('emits typed events with gapless seq, stage and entry brackets', async () => {
    const { runner } = fakeRunner(plan);
    const events: SchedulerEvent[] = [];
    await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((e) => e.kind === 'stage-start').map((e) => e.stage)).toEqual(plan.stages.map((s) => s.id));
    const starts = events.filter((e) => e.kind === 'entry-start');
    const ends = events.filter((e) => e.kind === 'entry-end');
    expect(starts).toHaveLength(ends.length);
    expect(starts[0]).toMatchObject({ kind: 'entry-start', stage: 'preflight', host: 'lb1', step: 'preflight', path: 'preflight/preflight@lb1' });
    expect(events.find((e) => e.kind === 'entry-output')).toMatchObject({ host: 'lb1', step: 'preflight', stage: 'preflight', line: 'running preflight' });
  });

  it('cancels when the signal aborts: the step in hand sees it, nothing new starts', async () => {
    const controller = new AbortController();
    const seen: boolean[] = [];
    const runner: HostRunner = hostRunnerOf(async function* (request) {
      if (request.step === 'kubeadm.init') {
        controller.abort();
        seen.push(request.signal.aborted);
        throw new Error('cancelled');
      }
      yield { kind: 'done', outputs: {} };
    });
    const report = await runPlan(plan, { runner, readiness: fakeReadiness().readiness, inputs: fakeBroker(), signal: controller.signal });
    expect(seen).toEqual([true]);
    expect(report).toMatchObject({ ok: false, cancelled: true });
    expect(report.failures[0]).toMatchObject({ kind: 'step', host: 'master1', error: { code: 'CANCELLED' } });
    expect(report.entries.find((entry) => entry.path === 'init/kubeadm.admin-kubeconfig@master1')?.status).toBe('not-run');
  });
});
