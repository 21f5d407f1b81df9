import { type HostStepEvent, hostRunnerOf } from './step-handle';
import { describe, expect, it } from 'vitest';
import { readinessThroughRunner } from './probe-readiness';
import type { HostRunner, ReadinessContext, StepRunRequest } from './scheduler-types';
import type { Readiness } from './types';

const probe: Readiness = {
  id: 'etcd-peer-reachable',
  waitsFor: 'master2 reaches etcd peer port of master1 at 192.0.2.21:2380',
  check: { kind: 'probe', host: 'master2', step: 'net.wait-tcp', params: { host: '192.0.2.21', port: 2380, timeoutSeconds: 120 } },
};

function context(progress: string[]): ReadinessContext {
  return { stage: 'join-control-planes', signal: new AbortController().signal, onProgress: (text) => progress.push(text) };
}

function runnerOf(events: HostStepEvent[], requests: StepRunRequest[]): HostRunner {
  return hostRunnerOf(async function* (request) {
    requests.push(request);
    yield* events;
  });
}

describe('readinessThroughRunner', () => {
  it('runs a probe as its step on its host, without secrets, and forwards progress', async () => {
    const requests: StepRunRequest[] = [];
    const progress: string[] = [];
    const checker = readinessThroughRunner(runnerOf([{ kind: 'progress', text: 'waiting for 192.0.2.21:2380' }, { kind: 'done', outputs: {} }], requests), async () => {
      throw new Error('not used');
    });
    await checker.wait(probe, context(progress));
    expect(requests).toEqual([expect.objectContaining({ host: 'master2', step: 'net.wait-tcp', params: { host: '192.0.2.21', port: 2380, timeoutSeconds: 120 }, secrets: {} })]);
    expect(progress).toEqual(['waiting for 192.0.2.21:2380']);
  });

  it('rejects with what it waited for when the probe fails or ends without a result', async () => {
    const failing = readinessThroughRunner(runnerOf([{ kind: 'failed', error: { code: 'TIMEOUT', message: 'no answer in 120s' } }], []), async () => undefined);
    await expect(failing.wait(probe, context([]))).rejects.toThrow('master2 reaches etcd peer port of master1 at 192.0.2.21:2380: no answer in 120s');
    const silent = readinessThroughRunner(runnerOf([], []), async () => undefined);
    await expect(silent.wait(probe, context([]))).rejects.toThrow(/ended without a result/);
  });

  it('hands agents-attached to the session registry', async () => {
    const asked: string[][] = [];
    const checker = readinessThroughRunner(runnerOf([], []), async (hosts) => {
      asked.push([...hosts]);
    });
    await checker.wait({ id: 'agents-attached', waitsFor: 'agents', check: { kind: 'agents-attached', hosts: ['lb1', 'master1'] } }, context([]));
    expect(asked).toEqual([['lb1', 'master1']]);
  });
});
