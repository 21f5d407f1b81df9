import { status } from '@grpc/grpc-js';
import type { StepEvent } from '@kumi/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { openControlClient } from '../src/client/control-client';
import { controlHostRunner } from '../src/client/control-runner';
import { StepRunError } from '../src/plan';
import { ACK_EVERY } from '../src/server/run-broker';
import { runStep } from './helpers/control';
import { type AgentIdentity, enrollAgent, FakeAgentStream } from './helpers/fake-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster | undefined;
const streams: FakeAgentStream[] = [];

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.drop();
  await cluster?.close();
  cluster = undefined;
});

async function setup(options: { detachGraceMs?: number; answerTimeoutMs?: number } = {}) {
  const started = await startTestCluster(options);
  cluster = started;
  const { token } = await started.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
  const identity = await enrollAgent(started.address, started.material.caCertPem, token, 'cp1');
  return { cluster: started, identity };
}

async function attach(c: TestCluster, identity: AgentIdentity, busyRunId = ''): Promise<FakeAgentStream> {
  const stream = new FakeAgentStream(c.address, c.material.caCertPem, identity);
  streams.push(stream);
  stream.hello('cp1', busyRunId);
  await stream.waitFor(() => {
    const session = c.coordinator.agents.get('cp1');
    return session && session.busyRunId === busyRunId && !stream.ended ? session : undefined;
  });
  return stream;
}

function event(runId: string, seq: number, kind: string, text = '', extra: Partial<StepEvent> = {}): StepEvent {
  return { runId, seq, host: 'cp1', step: 'swap.off', kind: kind as StepEvent['kind'], timeUnixMs: Date.now(), text, ...extra };
}

describe('RunStep over the control socket', () => {
  it('sends the step with its secrets to the host and streams its events back, acknowledging the run at its end', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off', paramsJson: '{"persist":true}', secrets: { joinToken: 'abcdef.0123456789abcdef' }, dryRun: true });

    const request = await agent.waitRun();
    expect(request).toMatchObject({ step: 'swap.off', paramsJson: '{"persist":true}', secrets: { joinToken: 'abcdef.0123456789abcdef' }, dryRun: true });
    expect(c.coordinator.agents.get('cp1')?.busyRunId).toBe(request.runId);

    agent.event(event(request.runId, 1, 'EVENT_KIND_START', 'Swap off', { planned: ['run swapoff -a'] }));
    agent.event(event(request.runId, 2, 'EVENT_KIND_OUTPUT', 'hello', { stream: 'OUTPUT_STREAM_STDOUT' }));
    agent.event(event(request.runId, 3, 'EVENT_KIND_DONE', '', { outputsJson: '{"changed":true}' }));
    const { events, error } = await run.done;

    expect(error).toBeUndefined();
    expect(events.map((e) => [e.seq, e.kind, e.text])).toEqual([
      [1, 'EVENT_KIND_START', 'Swap off'],
      [2, 'EVENT_KIND_OUTPUT', 'hello'],
      [3, 'EVENT_KIND_DONE', ''],
    ]);
    expect(events[0]?.planned).toEqual(['run swapoff -a']);
    await agent.waitFor(() => (agent.acks().length === 1 ? true : undefined));
    expect(agent.acks()).toEqual([`${request.runId}:3`]);
    expect(c.coordinator.agents.get('cp1')?.busyRunId).toBe('');
  });

  it('forwards every event exactly once when the agent replays after a reconnect', async () => {
    const { cluster: c, identity } = await setup();
    const first = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await first.waitRun();
    first.event(event(runId, 1, 'EVENT_KIND_START', 'Swap off'));
    first.event(event(runId, 2, 'EVENT_KIND_OUTPUT', 'line 1'));
    await first.waitFor(() => (run.events.length === 2 ? true : undefined));
    expect(first.acks()).toEqual([]);
    first.drop();
    await first.waitFor(() => (c.coordinator.agents.get('cp1') ? undefined : true));

    // Nothing was acknowledged yet: the agent replays everything it holds.
    const second = await attach(c, identity, runId);
    for (const [seq, kind, text] of [[1, 'EVENT_KIND_START', 'Swap off'], [2, 'EVENT_KIND_OUTPUT', 'line 1'], [3, 'EVENT_KIND_OUTPUT', 'line 2'], [4, 'EVENT_KIND_DONE', '']] as const) {
      second.event(event(runId, seq, kind, text));
    }
    second.event(event(runId, 4, 'EVENT_KIND_DONE', ''));
    const { events, error } = await run.done;

    expect(error).toBeUndefined();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    // Replayed duplicates are acknowledged at once, so the agent can drop them from its outbox.
    await second.waitFor(() => (second.acks().length === 4 ? true : undefined));
    expect(second.acks()).toEqual([2, 2, 4, 4].map((seq) => `${runId}:${seq}`));
  });

  it('acknowledges a long run every ACK_EVERY events, so the agent can let go of them before its end', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    agent.event(event(runId, 1, 'EVENT_KIND_START'));
    for (let seq = 2; seq <= 2 * ACK_EVERY + 1; seq++) agent.event(event(runId, seq, 'EVENT_KIND_OUTPUT', `line ${seq}`));
    await agent.waitFor(() => (run.events.length === 2 * ACK_EVERY + 1 ? true : undefined));
    expect(agent.acks()).toEqual([ACK_EVERY, 2 * ACK_EVERY].map((seq) => `${runId}:${seq}`));
    agent.event(event(runId, 2 * ACK_EVERY + 2, 'EVENT_KIND_DONE'));
    await run.done;
    await agent.waitFor(() => (agent.acks().length === 3 ? true : undefined));
    expect(agent.acks().at(-1)).toBe(`${runId}:${2 * ACK_EVERY + 2}`);
  });

  it('drops an event that skips a seq instead of acknowledging the missing ones', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    agent.event(event(runId, 1, 'EVENT_KIND_START'));
    agent.event(event(runId, 3, 'EVENT_KIND_OUTPUT', 'too early'));
    agent.event(event(runId, 2, 'EVENT_KIND_OUTPUT', 'second'));
    agent.event(event(runId, 3, 'EVENT_KIND_NOOP', 'already off'));
    const { events } = await run.done;
    expect(events.map((e) => `${e.seq}:${e.text}`)).toEqual(['1:', '2:second', '3:already off']);
    await agent.waitFor(() => (agent.acks().length === 2 ? true : undefined));
    expect(agent.acks()).toEqual([1, 3].map((seq) => `${runId}:${seq}`));
  });

  it('ends the run with FAILED NOT_ATTACHED when the host does not come back in time', async () => {
    const { cluster: c, identity } = await setup({ detachGraceMs: 300 });
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    agent.event(event(runId, 1, 'EVENT_KIND_START'));
    await agent.waitFor(() => (run.events.length === 1 ? true : undefined));
    agent.drop();
    const { events, error } = await run.done;
    expect(error).toBeUndefined();
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ seq: 2, kind: 'EVENT_KIND_FAILED', error: { code: 'ERROR_CODE_NOT_ATTACHED' } });
    expect(events[1]?.error?.message).toContain('host "cp1" went away during the run');
  });

  it('keeps waiting across a re-attach while the agent still holds the run', async () => {
    const { cluster: c, identity } = await setup({ detachGraceMs: 400 });
    const first = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await first.waitRun();
    first.drop();
    const second = await attach(c, identity, runId);
    await new Promise((resolve) => setTimeout(resolve, 600));
    second.event(event(runId, 1, 'EVENT_KIND_START'));
    second.event(event(runId, 2, 'EVENT_KIND_DONE'));
    const { events } = await run.done;
    expect(events.map((e) => e.kind)).toEqual(['EVENT_KIND_START', 'EVENT_KIND_DONE']);
  });

  it('keeps showing the run a busy host is running when it refuses another with LOCKED', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity, 'earlier-run');
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    expect(c.coordinator.agents.get('cp1')?.busyRunId).toBe('earlier-run');
    agent.event(event(runId, 1, 'EVENT_KIND_FAILED', '', { error: { code: 'ERROR_CODE_LOCKED', message: 'the agent is already running run earlier-run', exitCode: 0, stderrTail: '', command: '' } }));
    const { events } = await run.done;
    expect(events.map((e) => e.error?.code)).toEqual(['ERROR_CODE_LOCKED']);
    expect(c.coordinator.agents.get('cp1')?.busyRunId).toBe('earlier-run');

    agent.event(event('earlier-run', 1, 'EVENT_KIND_DONE'));
    await agent.waitFor(() => (c.coordinator.agents.get('cp1')?.busyRunId === '' ? true : undefined));
  });

  it('fails the run with TIMEOUT when the attached host sends no event for it, and cancels it there', async () => {
    const { cluster: c, identity } = await setup({ answerTimeoutMs: 300 });
    const agent = await attach(c, identity);
    const started = Date.now();
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    const { events, error } = await run.done;
    expect(error).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ seq: 1, kind: 'EVENT_KIND_FAILED', error: { code: 'ERROR_CODE_TIMEOUT' } });
    expect(events[0]?.error?.message).toContain(`host "cp1" sent no event for run ${runId} (swap.off) within 300ms`);
    expect(c.coordinator.agents.get('cp1')?.busyRunId).toBe('');
    const cancel = await agent.waitFor(() => agent.received.find((m) => m.cancel)?.cancel ?? undefined);
    expect(cancel.runId).toBe(runId);
  });

  it('stops the answer timeout at the first event: a long step is not cut off', async () => {
    const { cluster: c, identity } = await setup({ answerTimeoutMs: 200 });
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    agent.event(event(runId, 1, 'EVENT_KIND_START'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    agent.event(event(runId, 2, 'EVENT_KIND_DONE'));
    const { events } = await run.done;
    expect(events.map((e) => e.kind)).toEqual(['EVENT_KIND_START', 'EVENT_KIND_DONE']);
  });

  it('sends Cancel to the agent when the RunStep caller goes away', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    run.cancel();
    const cancel = await agent.waitFor(() => agent.received.find((m) => m.cancel)?.cancel ?? undefined);
    expect(cancel.runId).toBe(runId);
  });

  it('the control runner (kumi run): progress streams, and aborting (Ctrl-C) cancels the call and the step, ending in a CANCELLED StepRunError', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity);
    const interrupt = new AbortController();
    const client = openControlClient(c.coordinator.controlSocket);
    try {
      const handle = controlHostRunner(client).runStep({ host: 'cp1', step: 'swap.off', params: {}, secrets: {}, signal: interrupt.signal });
      const seen: string[] = [];
      // The run starts when it is first read.
      const reading = (async () => {
        for await (const progress of handle) {
          seen.push(progress.kind === 'output' ? progress.line : progress.text);
          interrupt.abort();
        }
      })();
      const { runId } = await agent.waitRun();
      agent.event(event(runId, 1, 'EVENT_KIND_START'));
      agent.event(event(runId, 2, 'EVENT_KIND_OUTPUT', 'line one', { stream: 'OUTPUT_STREAM_STDOUT' }));
      await reading;
      expect(seen).toEqual(['line one']);
      const error = await handle.then(
        () => undefined,
        (cause: unknown) => cause,
      );
      expect(error).toBeInstanceOf(StepRunError);
      expect(error).toMatchObject({ code: 'CANCELLED', host: 'cp1', step: 'swap.off' });
      const cancel = await agent.waitFor(() => agent.received.find((m) => m.cancel)?.cancel ?? undefined);
      expect(cancel.runId).toBe(runId);
    } finally {
      client.close();
    }
  });

  it('refuses a host that is not attached and bad params with clear errors', async () => {
    const { cluster: c } = await setup();
    const missing = await runStep(c.coordinator.controlSocket, { host: 'cp9', step: 'swap.off' }).done;
    expect(missing.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(missing.error?.details).toContain('host "cp9" is not attached (attached: none)');

    const bad = await runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off', paramsJson: '[1]' }).done;
    expect(bad.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.error?.details).toContain('params_json must be a JSON object');
  });
});

describe('coordinator shutdown', () => {
  it('ends a run in progress with FAILED INTERNAL saying the coordinator stopped', async () => {
    const { cluster: c, identity } = await setup();
    const agent = await attach(c, identity);
    const run = runStep(c.coordinator.controlSocket, { host: 'cp1', step: 'swap.off' });
    const { runId } = await agent.waitRun();
    agent.event(event(runId, 1, 'EVENT_KIND_START'));
    await agent.waitFor(() => (run.events.length === 1 ? true : undefined));
    const closing = c.coordinator.close();
    const { events } = await run.done;
    await closing;
    expect(events.map((e) => e.kind)).toEqual(['EVENT_KIND_START', 'EVENT_KIND_FAILED']);
    expect(events[1]?.error).toMatchObject({ code: 'ERROR_CODE_INTERNAL' });
    expect(events[1]?.error?.message).toContain('the coordinator stopped');
    const ended = await agent.waitEnded();
    expect(ended !== 'ok' && ended.details).toContain('shutting down');
  });
});
