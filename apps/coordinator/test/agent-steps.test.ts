import { Secret } from '@kumi/steps';
import type { StepEvent } from '@kumi/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { type StepHandle, type StepProgressEvent, type StepResult, StepRunError } from '../src/plan';
import type { RunBroker } from '../src/server/run-broker';
import { agentHostRunner, runAgentStep } from '../src/up/agent-steps';
import { FakeAgentStream } from './helpers/fake-agent';
import { enrollDirect } from './helpers/sim-cluster';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster | undefined;
const streams: FakeAgentStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.drop();
  await cluster?.close();
  cluster = undefined;
});

async function attached(host = 'master1', busyRunId = '') {
  cluster = await startTestCluster();
  const c = cluster;
  const identity = await enrollDirect(c.state, c.material, host);
  const agent = new FakeAgentStream(c.address, c.material.caCertPem, identity);
  streams.push(agent);
  agent.hello(host, busyRunId);
  await agent.waitFor(() => c.coordinator.agents.get(host));
  return { c, agent };
}

/** Reads a handle the way every caller does: its progress with for await, then its outcome with await. */
async function collect(handle: StepHandle): Promise<Array<StepProgressEvent | StepResult | StepRunError>> {
  const seen: Array<StepProgressEvent | StepResult | StepRunError> = [];
  for await (const event of handle) seen.push(event);
  seen.push(await handle.then((result) => result, (error: unknown) => error as StepRunError));
  return seen;
}

const ev = (runId: string, seq: number, kind: string, extra: Partial<StepEvent> = {}): StepEvent => ({
  runId,
  seq,
  host: 'master1',
  step: 'kubeadm.token-create',
  kind: kind as StepEvent['kind'],
  timeUnixMs: Date.now(),
  ...extra,
});

describe('the HostRunner over attached agents (real coordinator, mutual TLS on 127.0.0.1)', () => {
  it('sends params as JSON and secrets only in the secrets field, and maps the events back', async () => {
    const { c, agent } = await attached();
    const runner = agentHostRunner(c.coordinator);
    const signal = new AbortController().signal;
    const token = 'abcdef.0123456789abcdef';
    const events = collect(runner.runStep({ host: 'master1', step: 'kubeadm.token-create', params: { ttl: '15m' }, secrets: { bootstrapToken: new Secret(token) }, signal }));
    const request = await agent.waitRun();
    expect(request.paramsJson).toBe('{"ttl":"15m"}');
    expect(request.secrets).toEqual({ bootstrapToken: token });
    expect(request.dryRun).toBe(false);
    agent.event(ev(request.runId, 1, 'EVENT_KIND_START', { text: 'Create a bootstrap token' }));
    agent.event(ev(request.runId, 2, 'EVENT_KIND_OUTPUT', { text: 'W1127 warning', stream: 'OUTPUT_STREAM_STDERR' }));
    agent.event(ev(request.runId, 3, 'EVENT_KIND_PROGRESS', { text: 'waiting for the API' }));
    agent.event(ev(request.runId, 4, 'EVENT_KIND_DONE', { outputsJson: '{"tokenId":"abcdef"}' }));
    expect(await events).toEqual([
      { kind: 'output', stream: 'stderr', line: 'W1127 warning' },
      { kind: 'progress', text: 'waiting for the API' },
      { kind: 'done', outputs: { tokenId: 'abcdef' } },
    ]);
  });

  it('maps a typed failure, and a dry run reports what it would do', async () => {
    const { c, agent } = await attached();
    const signal = new AbortController().signal;
    const failed = collect(runAgentStep(c.coordinator, { host: 'master1', step: 'swap.off', params: {}, secrets: {}, signal }));
    const first = await agent.waitRun(0);
    agent.event(ev(first.runId, 1, 'EVENT_KIND_FAILED', { error: { code: 'ERROR_CODE_COMMAND_FAILED', message: 'swapoff exited 1', exitCode: 1, stderrTail: 'swapoff: /swap: busy', command: 'swapoff -a' } }));
    const [failure] = await failed;
    expect(failure).toBeInstanceOf(StepRunError);
    expect(failure).toMatchObject({ host: 'master1', step: 'swap.off', error: { code: 'COMMAND_FAILED', message: 'swapoff exited 1', exitCode: 1, stderrTail: 'swapoff: /swap: busy', command: 'swapoff -a' } });

    const dry = collect(runAgentStep(c.coordinator, { host: 'master1', step: 'swap.off', params: {}, secrets: {}, dryRun: true, signal }));
    const second = await agent.waitRun(1);
    expect(second.dryRun).toBe(true);
    agent.event(ev(second.runId, 1, 'EVENT_KIND_PLANNED', { planned: ['run swapoff -a'] }));
    // A dry run is its own outcome, not DONE with a flag.
    expect(await dry).toEqual([{ kind: 'planned', actions: ['run swapoff -a'] }]);
  });

  it('fails NOT_ATTACHED for a host without an agent, naming the attached ones', async () => {
    const { c } = await attached();
    const events = await collect(runAgentStep(c.coordinator, { host: 'worker9', step: 'swap.off', params: {}, secrets: {}, signal: new AbortController().signal }));
    expect(events).toHaveLength(1);
    expect(events[0]).toBeInstanceOf(StepRunError);
    expect(events[0]).toMatchObject({ code: 'NOT_ATTACHED', message: expect.stringContaining('attached: master1') });
  });

  it('cancels on the agent when the signal aborts', async () => {
    const { c, agent } = await attached();
    const abort = new AbortController();
    const events = collect(runAgentStep(c.coordinator, { host: 'master1', step: 'verify', params: {}, secrets: {}, signal: abort.signal }));
    const request = await agent.waitRun();
    agent.event(ev(request.runId, 1, 'EVENT_KIND_START'));
    abort.abort();
    expect((await events).at(-1)).toMatchObject({ code: 'CANCELLED' });
    const cancel = await agent.waitFor(() => agent.received.find((message) => message.cancel)?.cancel ?? undefined);
    expect(cancel.runId).toBe(request.runId);
  });

  it('waits while the host still runs a step from a crashed run, then sends the new one', async () => {
    const { c, agent } = await attached('master1', 'run-before-the-crash');
    const seen: Array<StepProgressEvent | StepResult> = [];
    // The busy wait's clock is logical: each pause is one look at the host, counted.
    let looks = 0;
    const pause = () => {
      looks++;
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
    const handle = runAgentStep(c.coordinator, { host: 'master1', step: 'kubeadm.join', params: {}, secrets: {}, signal: new AbortController().signal }, { limitMs: 600_000, pause });
    const done = (async () => {
      for await (const event of handle) seen.push(event);
      seen.push(await handle);
    })();
    await agent.waitFor(() => (seen.length > 0 && looks >= 25 ? true : undefined));
    expect(seen[0]).toMatchObject({ kind: 'progress', text: expect.stringContaining('still running a step from before (run run-before-the-crash)') });
    // 25 looks at the busy host, and nothing was sent to it.
    expect(c.coordinator.agents.get('master1')?.busyRunId).toBe('run-before-the-crash');
    expect(agent.received.filter((message) => message.run)).toEqual([]);

    // The old run ends (its events are replayed to the new coordinator): the host is free.
    agent.event({ ...ev('run-before-the-crash', 1, 'EVENT_KIND_NOOP'), step: 'kubeadm.join', text: 'already joined' });
    const request = await agent.waitRun();
    expect(request.step).toBe('kubeadm.join');
    agent.event(ev(request.runId, 1, 'EVENT_KIND_NOOP', { text: 'master1 already joined' }));
    await done;
    expect(seen.at(-1)).toMatchObject({ kind: 'noop', reason: 'master1 already joined' });
  });

  it('sends a host one step at a time: a second step waits for the first to end', async () => {
    const { c, agent } = await attached();
    const signal = new AbortController().signal;
    // Every step this process sends goes through broker.start: count them there, not on the wire after a sleep.
    const started: string[] = [];
    const link = { agents: c.coordinator.agents, broker: { start: ((request, listener) => (started.push(request.step), c.coordinator.broker.start(request, listener))) as RunBroker['start'] } as RunBroker };
    const first = collect(runAgentStep(link, { host: 'master1', step: 'kubeadm.token-create', params: {}, secrets: {}, signal }));
    const second = collect(runAgentStep(link, { host: 'master1', step: 'kubeadm.token-delete', params: {}, secrets: {}, signal }));
    const one = await agent.waitRun(0);
    // The first step is on the host and its request crossed the network: the second is still queued.
    expect(started).toEqual(['kubeadm.token-create']);
    agent.event(ev(one.runId, 1, 'EVENT_KIND_DONE'));
    const two = await agent.waitRun(1);
    expect(two.step).toBe('kubeadm.token-delete');
    agent.event({ ...ev(two.runId, 1, 'EVENT_KIND_DONE'), step: 'kubeadm.token-delete' });
    expect((await first).at(-1)).toEqual({ kind: 'done', outputs: {} });
    expect((await second).at(-1)).toEqual({ kind: 'done', outputs: {} });
  });
});
