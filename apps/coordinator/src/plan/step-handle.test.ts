import { describe, expect, it } from 'vitest';
import { type HostStepEvent, hostRunnerOf, StepHandle, StepRunError } from './step-handle';

async function* events(...list: HostStepEvent[]): AsyncGenerator<HostStepEvent> {
  yield* list;
}

describe('StepHandle: one step run as stream and outcome', () => {
  it('streams progress with for await, then await gives the result at once', async () => {
    const handle = new StepHandle('h1', 'swap.off', events({ kind: 'output', stream: 'stdout', line: 'a' }, { kind: 'progress', text: 'b' }, { kind: 'done', outputs: { x: 1 } }));
    const seen: unknown[] = [];
    for await (const event of handle) seen.push(event);
    expect(seen).toEqual([
      { kind: 'output', stream: 'stdout', line: 'a' },
      { kind: 'progress', text: 'b' },
    ]);
    await expect(handle).resolves.toEqual({ kind: 'done', outputs: { x: 1 } });
  });

  it('await alone reads the run to its end, skipping progress; noop and planned are outcomes of their own', async () => {
    await expect(new StepHandle('h1', 's', events({ kind: 'progress', text: 'p' }, { kind: 'noop', reason: 'fine', outputs: {} }))).resolves.toEqual({ kind: 'noop', reason: 'fine', outputs: {} });
    await expect(new StepHandle('h1', 's', events({ kind: 'planned', actions: ['run swapoff -a'] }))).resolves.toEqual({ kind: 'planned', actions: ['run swapoff -a'] });
  });

  it('a failure rejects with a typed StepRunError carrying the error, host and step', async () => {
    const handle = new StepHandle('w1', 'kubeadm.join', events({ kind: 'failed', error: { code: 'COMMAND_FAILED', message: 'exit 1', exitCode: 1 } }));
    const error = await handle.then(
      () => undefined,
      (cause: unknown) => cause,
    );
    expect(error).toBeInstanceOf(StepRunError);
    expect(error).toMatchObject({ host: 'w1', step: 'kubeadm.join', code: 'COMMAND_FAILED', error: { exitCode: 1 } });
  });

  it('a stream that stops without an ending, or that throws, fails INTERNAL', async () => {
    await expect(new StepHandle('h', 's', events({ kind: 'progress', text: 'p' }))).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('ended without a result') });
    const broken = (async function* (): AsyncGenerator<HostStepEvent> {
      yield { kind: 'progress', text: 'p' };
      throw new Error('stream reset');
    })();
    await expect(new StepHandle('h', 's', broken)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('stream reset') });
  });

  it('a reader that stops early closes the transport and the run ends CANCELLED', async () => {
    let closed = false;
    const source = (async function* (): AsyncGenerator<HostStepEvent> {
      try {
        yield { kind: 'progress', text: 'one' };
        yield { kind: 'progress', text: 'two' };
        yield { kind: 'done', outputs: {} };
      } finally {
        closed = true;
      }
    })();
    const handle = new StepHandle('h', 's', source);
    for await (const _event of handle) break;
    expect(closed).toBe(true);
    await expect(handle).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('is read once: a second iteration is refused', async () => {
    const handle = new StepHandle('h', 's', events({ kind: 'done', outputs: {} }));
    await handle;
    await expect(
      (async () => {
        for await (const _event of handle) return;
      })(),
    ).rejects.toThrow(/read once/);
  });

  it('hostRunnerOf wraps a transport into handles', async () => {
    const runner = hostRunnerOf((request) => events({ kind: 'done', outputs: { host: request.host } }));
    await expect(runner.runStep({ host: 'h9', step: 's', params: {}, secrets: {}, signal: new AbortController().signal })).resolves.toEqual({ kind: 'done', outputs: { host: 'h9' } });
  });
});
