import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepRequest__Output } from '@kumi/proto';
import { StepFailure, type AnyStep, type HostFacts, type RunStepOptions, type StepOutcome } from '@kumi/steps';
import { pino } from 'pino';
import * as z from 'zod';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FactsCache, type GatherReason } from '../facts/facts-cache';
import { Outbox } from '../state/outbox';
import type { AgentEvent } from './event-kinds';
import { EventRecorder } from './event-recorder';
import * as stepLibrary from './step-library';
import { STEP_LIBRARY_KEEP_MS, StepRunner, type StepRunnerDeps } from './step-runner';

const FACTS = { hostName: 'h1' } as HostFacts;
const demoStep: AnyStep = { id: 'demo.step', title: 'Demo step', params: z.object({}), check: async () => ({}), plan: () => ({ actions: [] }) };

function request(runId: string, overrides: Partial<StepRequest__Output> = {}): StepRequest__Output {
  return { runId, step: 'demo.step', paramsJson: '{}', secrets: {}, dryRun: false, ...overrides };
}

async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('StepRunner', () => {
  let dir: string;
  let outbox: Outbox;
  let events: AgentEvent[];
  let recorder: EventRecorder;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-agent-runner-'));
    outbox = Outbox.open(dir);
    events = [];
    recorder = new EventRecorder(outbox, 'h1');
    recorder.onEvent((event) => events.push(event));
  });
  afterEach(async () => {
    outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  function runner(overrides: Partial<StepRunnerDeps> = {}): StepRunner {
    return new StepRunner({ recorder, logger: pino({ level: 'silent' }), root: dir, facts: new FactsCache(async () => FACTS), ...overrides });
  }

  const summary = (runId: string): unknown[] =>
    events.filter((event) => event.runId === runId).map((event) => [event.seq, event.kind.replace('EVENT_KIND_', ''), event.error?.code.replace('ERROR_CODE_', '') ?? event.text]);

  it('refuses a second request at once with FAILED/LOCKED and no START', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subject = runner({
      findStep: () => demoStep,
      runStep: async (): Promise<StepOutcome> => {
        await gate;
        return { status: 'noop', reason: 'already fine', outputs: {} };
      },
    });
    subject.handle(request('r1'));
    subject.handle(request('r2'));
    outbox.flush();
    expect(summary('r2')).toEqual([[1, 'FAILED', 'LOCKED']]);
    expect(events.find((event) => event.runId === 'r2')?.error?.message).toMatch(/already running run r1/);
    expect(subject.busyRunId).toBe('r1');
    expect(outbox.inHand()?.runId).toBe('r1');
    release();
    await subject.idle();
    expect(summary('r1')).toEqual([
      [1, 'START', 'Demo step'],
      [2, 'NOOP', 'already fine'],
    ]);
    expect(subject.busyRunId).toBe('');
    expect(outbox.inHand()).toBeUndefined();
    subject.handle(request('r3'));
    await subject.idle();
    expect(summary('r3')).toEqual([
      [1, 'START', 'Demo step'],
      [2, 'NOOP', 'already fine'],
    ]);
  });

  it('a burst of real no-op steps (swap.off on an empty root): one fsync each, and no log line at info level', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const subject = runner({ logger });
    const syncsBefore = outbox.fsyncCount;
    for (const runId of ['n1', 'n2', 'n3', 'n4', 'n5']) {
      subject.handle(request(runId, { step: 'swap.off' }));
      await subject.idle();
    }
    expect(events.filter((event) => event.kind === 'EVENT_KIND_NOOP')).toHaveLength(5);
    expect(outbox.fsyncCount - syncsBefore).toBe(5);
    expect(lines).toEqual([]);
    // A run that fails is still logged at info level or above.
    subject.handle(request('f1', { step: 'swap.off', paramsJson: '{"unexpected":1}' }));
    await subject.idle();
    expect(lines.map((line) => line.msg)).toEqual(['step failed']);
  });

  it('gathers facts once for a burst of no-op steps, and again before the next step after one that changed the host', async () => {
    const gatherings: GatherReason[] = [];
    let gathered = 0;
    const facts = new FactsCache(
      async () => {
        gathered += 1;
        return FACTS;
      },
      (reason) => gatherings.push(reason),
    );
    const outcomes: StepOutcome[] = [];
    const seenFacts: HostFacts[] = [];
    const subject = runner({
      facts,
      findStep: () => demoStep,
      runStep: async (_step, options) => {
        seenFacts.push(options.facts);
        const outcome = outcomes.shift() ?? { status: 'noop', reason: 'fine', outputs: {} };
        if (outcome.status === 'done') options.onProgress?.({ kind: 'progress', text: 'run sysctl --system' });
        return outcome;
      },
    });
    await facts.refresh(); // the attach
    const runAll = async (runIds: string[]): Promise<void> => {
      for (const runId of runIds) {
        subject.handle(request(runId));
        await subject.idle();
      }
    };
    await runAll(['n1', 'n2', 'n3']);
    expect(gatherings).toEqual(['attach']);

    outcomes.push({ status: 'planned', planned: ['write /etc/x'] });
    await runAll(['dry', 'n4']);
    expect(gatherings).toEqual(['attach']);

    outcomes.push({ status: 'done', outputs: {}, planned: ['write /etc/x'] });
    await runAll(['changed', 'n5', 'n6']);
    expect(gatherings).toEqual(['attach', 'host changed']);
    expect(gathered).toBe(2);
    expect(seenFacts).toHaveLength(8);
    expect(seenFacts.every((seen) => seen === FACTS)).toBe(true);
  });

  it('gathers facts again after a step that failed once its actions began, not after one that failed before', async () => {
    const gatherings: GatherReason[] = [];
    const facts = new FactsCache(async () => FACTS, (reason) => gatherings.push(reason));
    let act = false;
    const subject = runner({
      facts,
      findStep: () => demoStep,
      runStep: async (_step, options) => {
        if (act) options.onProgress?.({ kind: 'progress', text: 'run modprobe br_netfilter' });
        throw new StepFailure(act ? 'COMMAND_FAILED' : 'CHECK_FAILED', 'failed');
      },
    });
    await facts.refresh();
    for (const [runId, began] of [['check', false], ['after-check', false], ['command', true], ['after-command', false]] as const) {
      act = began;
      subject.handle(request(runId));
      await subject.idle();
    }
    expect(gatherings).toEqual(['attach', 'host changed']);
  });

  it('streams output and progress in seq order and ends DONE with outputs and planned lines', async () => {
    const subject = runner({
      findStep: () => demoStep,
      runStep: async (_step, options: RunStepOptions) => {
        options.onProgress?.({ kind: 'progress', text: 'writing' });
        options.onProgress?.({ kind: 'output', stream: 'stderr', line: 'warn' });
        return { status: 'done', outputs: { a: 1 }, planned: ['write /etc/x  # why'] };
      },
    });
    subject.handle(request('r1'));
    await subject.idle();
    expect(events.map((event) => [event.seq, event.kind, event.stream, event.host, event.step])).toEqual([
      [1, 'EVENT_KIND_START', 'OUTPUT_STREAM_UNSPECIFIED', 'h1', 'demo.step'],
      [2, 'EVENT_KIND_PROGRESS', 'OUTPUT_STREAM_UNSPECIFIED', 'h1', 'demo.step'],
      [3, 'EVENT_KIND_OUTPUT', 'OUTPUT_STREAM_STDERR', 'h1', 'demo.step'],
      [4, 'EVENT_KIND_DONE', 'OUTPUT_STREAM_UNSPECIFIED', 'h1', 'demo.step'],
    ]);
    expect(events[3]).toMatchObject({ outputsJson: '{"a":1}', planned: [] });
    expect(events.every((event) => event.timeUnixMs > 0)).toBe(true);
  });

  it('hands secrets to the step only as Secret values and redacts them from events', async () => {
    let seen: RunStepOptions | undefined;
    const subject = runner({
      findStep: () => demoStep,
      runStep: async (_step, options) => {
        seen = options;
        options.onProgress?.({ kind: 'output', stream: 'stdout', line: 'token is abcdef.0123456789abcdef' });
        throw new StepFailure('COMMAND_FAILED', 'join with abcdef.0123456789abcdef failed', { exitCode: 1, stderrTail: 'abcdef.0123456789abcdef', command: 'kubeadm join' });
      },
    });
    subject.handle(request('r1', { secrets: { joinToken: 'abcdef.0123456789abcdef' }, paramsJson: '{"x":1}' }));
    await subject.idle();
    expect(String(seen?.secrets.joinToken)).toBe('***');
    expect(seen?.secrets.joinToken?.reveal()).toBe('abcdef.0123456789abcdef');
    expect(seen?.params).toEqual({ x: 1 });
    expect(JSON.stringify(events)).not.toContain('0123456789abcdef');
    expect(events.at(-1)?.error).toEqual({ code: 'ERROR_CODE_COMMAND_FAILED', message: 'join with *** failed', exitCode: 1, stderrTail: '***', command: 'kubeadm join' });
  });

  it('reports unknown steps and malformed params as typed failures', async () => {
    const subject = runner();
    subject.handle(request('r1', { step: 'rm.rf' }));
    await subject.idle();
    expect(summary('r1')).toEqual([[1, 'FAILED', 'UNKNOWN_STEP']]);
    subject.handle(request('r2', { step: 'sysctl.kubernetes', paramsJson: '{nope' }));
    await subject.idle();
    expect(summary('r2')).toEqual([
      [1, 'START', expect.any(String)],
      [2, 'FAILED', 'INVALID_PARAMS'],
    ]);
  });

  it('cancels a real waiting step: FAILED/CANCELLED', async () => {
    const port = await closedLoopbackPort();
    const subject = runner();
    subject.handle(request('r1', { step: 'net.wait-tcp', paramsJson: JSON.stringify({ host: '127.0.0.1', port, timeoutSeconds: 30 }) }));
    const deadline = Date.now() + 10_000;
    while (!events.some((event) => event.kind === 'EVENT_KIND_PROGRESS') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    subject.cancel('r1');
    await subject.idle();
    expect(events.at(-1)?.error?.code).toBe('ERROR_CODE_CANCELLED');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it('plans only on a dry run', async () => {
    const subject = runner();
    subject.handle(request('r1', { step: 'sysctl.kubernetes', dryRun: true }));
    await subject.idle();
    expect(summary('r1')).toEqual([
      [1, 'START', expect.any(String)],
      [2, 'PLANNED', ''],
    ]);
    expect(events.at(-1)?.planned).toContainEqual(expect.stringMatching(/^write \/etc\/sysctl.d\/kumi-kubernetes.conf/));
    expect(existsSync(join(dir, 'etc/sysctl.d/kumi-kubernetes.conf'))).toBe(false);
  });

  it('keeps the step library loaded across a burst of runs and lets go of it after a quiet period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let loads = 0;
      let releases = 0;
      const subject = runner({
        findStep: () => demoStep,
        runStep: async (): Promise<StepOutcome> => ({ status: 'noop', reason: 'fine', outputs: {} }),
        loadLibrary: async () => {
          loads += 1;
          return {
            exports: stepLibrary,
            release: () => {
              releases += 1;
              return [];
            },
          };
        },
      });
      for (const runId of ['b1', 'b2']) {
        subject.handle(request(runId));
        await subject.idle();
      }
      await vi.advanceTimersByTimeAsync(STEP_LIBRARY_KEEP_MS - 1_000);
      subject.handle(request('b3'));
      await subject.idle();
      expect({ loads, releases }).toEqual({ loads: 1, releases: 0 });

      await vi.advanceTimersByTimeAsync(STEP_LIBRARY_KEEP_MS);
      expect({ loads, releases }).toEqual({ loads: 1, releases: 1 });
      subject.handle(request('b4'));
      await subject.idle();
      expect(loads).toBe(2);
      expect(summary('b4')).toEqual([
        [1, 'START', 'Demo step'],
        [2, 'NOOP', 'fine'],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
