import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogue } from '../catalogue';
import type { StepProgress } from '../run-types';
import { StepFailure } from '../run-types';
import { Secret } from '../secret';
import { nodeScript, runOptions, scriptedStep } from '../testing/scripted-step';
import { makeTempRoot, removeTempRoot } from '../testing/temp-root';
import { runStep } from './run-step';

let root: string;
beforeEach(async () => {
  root = await makeTempRoot();
});
afterEach(async () => {
  await removeTempRoot(root);
});

async function failureOf(promise: Promise<unknown>): Promise<StepFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StepFailure) return error;
    throw error;
  }
  throw new Error('expected a StepFailure');
}

describe('runStep parameters and secrets', () => {
  it('INVALID_PARAMS names the bad field, the problem and the fix', async () => {
    const step = catalogue.get('net.wait-tcp')!;
    const failure = await failureOf(
      runStep(step, runOptions(root, { params: { host: '127.0.0.1', port: 70000, timeoutSeconds: 5 } })),
    );
    expect(failure.code).toBe('INVALID_PARAMS');
    expect(failure.message).toBe(
      'invalid parameters for step net.wait-tcp: port: must be a TCP port number 1-65535. ' +
        'Fix: correct this field in the step parameters and run again.',
    );
  });

  it('INVALID_PARAMS lists every bad field, including unknown ones', async () => {
    const step = catalogue.get('net.wait-tcp')!;
    const failure = await failureOf(runStep(step, runOptions(root, { params: { host: '', port: 'x', extra: 1 } })));
    expect(failure.code).toBe('INVALID_PARAMS');
    expect(failure.message).toMatch(/host: must be a host name/);
    expect(failure.message).toMatch(/port: must be a TCP port number/);
    expect(failure.message).toMatch(/timeoutSeconds: /);
    expect(failure.message).toMatch(/extra/);
    expect(failure.message).toContain('these fields');
  });

  it('INVALID_PARAMS when a declared secret is missing, without running check', async () => {
    let checked = false;
    const step = scriptedStep([], {
      secrets: ['joinToken'],
      check: async () => {
        checked = true;
        return {};
      },
    });
    const failure = await failureOf(runStep(step, runOptions(root)));
    expect(failure.code).toBe('INVALID_PARAMS');
    expect(failure.message).toContain('needs the secret joinToken');
    expect(failure.message).toContain('secrets field');
    expect(checked).toBe(false);
  });
});

describe('runStep flow', () => {
  it('CHECK_FAILED when check throws, with secrets redacted from the message', async () => {
    const step = scriptedStep([], {
      secrets: ['token'],
      check: async (_host: unknown, _params: unknown, bag: Record<string, Secret>) => {
        throw new Error(`cannot parse ${bag.token!.reveal()}`);
      },
    });
    const failure = await failureOf(runStep(step, runOptions(root, { secrets: { token: new Secret('s3cr3t-value') } })));
    expect(failure.code).toBe('CHECK_FAILED');
    expect(failure.message).toBe('step test.scripted could not read the host: cannot parse ***');
  });

  it('keeps a typed StepFailure thrown by check', async () => {
    const step = scriptedStep([], {
      check: async () => {
        throw new StepFailure('UNSUPPORTED_HOST', 'no dnf on this host');
      },
    });
    expect((await failureOf(runStep(step, runOptions(root)))).code).toBe('UNSUPPORTED_HOST');
  });

  it('an empty plan is a noop with its reason and the step outputs', async () => {
    const step = scriptedStep([], { outputs: async () => ({ version: '1.31.2' }) });
    expect(await runStep(step, runOptions(root))).toEqual({
      status: 'noop',
      reason: 'scripted: nothing to do',
      outputs: { version: '1.31.2' },
    });
  });

  it('a dry run returns the planned lines and changes nothing', async () => {
    const spawned: unknown[] = [];
    const step = scriptedStep([
      { kind: 'write', path: '/etc/x.conf', content: 'x', why: 'test' },
      { kind: 'run', argv: ['touch', join(root, 'ran')], why: 'test' },
    ]);
    const outcome = await runStep(step, runOptions(root, { dryRun: true, spawnObserver: (argv) => spawned.push(argv) }));
    expect(outcome).toEqual({
      status: 'planned',
      planned: ['write /etc/x.conf  # test', `run touch ${join(root, 'ran')}  # test`],
    });
    expect(existsSync(join(root, 'etc'))).toBe(false);
    expect(existsSync(join(root, 'ran'))).toBe(false);
    expect(spawned).toEqual([]);
  });

  it('runs actions in order, announcing each, then reads outputs after the plan', async () => {
    const progress: StepProgress[] = [];
    const step = scriptedStep(
      [
        { kind: 'write', path: '/a', content: 'first', why: 'one' },
        { kind: 'run', argv: nodeScript("console.log(require('fs').readFileSync(process.argv.at(-1),'utf8'))", join(root, 'a')), why: 'two' },
      ],
      { outputs: async (host: { readFile(p: string): Promise<string | undefined> }) => ({ a: await host.readFile('/a') }) },
    );
    const outcome = await runStep(step, runOptions(root, { onProgress: (event) => progress.push(event) }));
    expect(outcome).toMatchObject({ status: 'done', outputs: { a: 'first' } });
    expect(progress.map((event) => (event.kind === 'progress' ? event.text : `${event.stream}: ${event.line}`))).toEqual([
      'write /a  # one',
      expect.stringMatching(/^run .* # two$/),
      'stdout: first',
    ]);
  });

  it('CANCELLED before anything runs when the signal is already aborted', async () => {
    const step = scriptedStep([{ kind: 'write', path: '/a', content: 'x', why: 'test' }]);
    const failure = await failureOf(runStep(step, runOptions(root, { signal: AbortSignal.abort() })));
    expect(failure.code).toBe('CANCELLED');
    expect(existsSync(join(root, 'a'))).toBe(false);
  });
});

describe('no secret in argv', () => {
  it('never passes a secret value in the argv of any probe, command or wait', async () => {
    const token = new Secret('abcdef.0123456789abcdef');
    const key = new Secret('-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n');
    const spawned: (readonly string[])[] = [];
    const step = scriptedStep(
      (bag) => [
        { kind: 'run', argv: nodeScript('process.stdin.resume()'), stdin: bag.token, why: 'stdin secret' },
        { kind: 'run', argv: nodeScript('', '--certificate-key-file', '{{file:key}}'), secretFiles: { key: bag.key! }, why: 'file secret' },
        { kind: 'write', path: '/etc/kumi/key.pem', content: bag.key!, why: 'secret file' },
        { kind: 'wait', until: { kind: 'command', argv: nodeScript('') }, what: 'a command', timeoutMs: 2_000, intervalMs: 100, why: 'wait' },
      ],
      {
        secrets: ['token', 'key'],
        check: async (host: { probe(argv: string[], stdin?: Secret): Promise<unknown> }, _p: unknown, bag: Record<string, Secret>) => {
          await host.probe(nodeScript('process.stdin.resume()'), bag.token);
          return {};
        },
      },
    );
    const outcome = await runStep(step, runOptions(root, { secrets: { token, key }, spawnObserver: (argv) => spawned.push(argv) }));
    expect(outcome.status).toBe('done');
    expect(spawned).toHaveLength(4);
    for (const argv of spawned) {
      for (const arg of argv) {
        expect(arg).not.toContain(token.reveal());
        expect(arg).not.toContain('MIIEvQ');
      }
    }
  });
});

describe('a secret value in argv is refused, and nothing runs', () => {
  const token = new Secret('abcdef.0123456789abcdef');

  it('in the argv of a command', async () => {
    const spawned: (readonly string[])[] = [];
    const step = scriptedStep((bag) => [{ kind: 'run', argv: nodeScript('', `--token=${bag.token!.reveal()}`), why: 'leaks' }], { secrets: ['token'] });
    const failure = await failureOf(runStep(step, runOptions(root, { secrets: { token }, spawnObserver: (argv) => spawned.push(argv) })));
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).toMatch(/a secret value appears in its arguments/);
    expect(failure.message).not.toContain(token.reveal());
    expect(spawned).toEqual([]);
  });

  it('in the argv of a wait command', async () => {
    const spawned: (readonly string[])[] = [];
    const step = scriptedStep(
      (bag) => [{ kind: 'wait', until: { kind: 'command', argv: nodeScript('', bag.token!.reveal()) }, what: 'a command', timeoutMs: 2_000, intervalMs: 100, why: 'leaks' }],
      { secrets: ['token'] },
    );
    const failure = await failureOf(runStep(step, runOptions(root, { secrets: { token }, spawnObserver: (argv) => spawned.push(argv) })));
    expect(failure.code).toBe('INTERNAL');
    expect(spawned).toEqual([]);
  });

  it('in the argv of a probe', async () => {
    const spawned: (readonly string[])[] = [];
    const step = scriptedStep([], {
      secrets: ['token'],
      check: async (host: { probe(argv: string[]): Promise<unknown> }, _p: unknown, bag: Record<string, Secret>) => {
        await host.probe(nodeScript('', bag.token!.reveal()));
        return {};
      },
    });
    const failure = await failureOf(runStep(step, runOptions(root, { secrets: { token }, spawnObserver: (argv) => spawned.push(argv) })));
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).toMatch(/refusing to run probe/);
    expect(spawned).toEqual([]);
  });
});
