import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../run-types';
import { StepFailure } from '../run-types';
import { Secret } from '../secret';
import { nodeScript, runOptions, scriptedStep } from '../testing/scripted-step';
import { makeTempRoot, removeTempRoot } from '../testing/temp-root';
import { runStep } from './run-step';

const TOKEN = 'abcdef.0123456789abcdef';
const KEY = 'c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs=';
const secrets = { token: new Secret(TOKEN), key: new Secret(KEY) };

let root: string;
beforeEach(async () => {
  root = await makeTempRoot();
});
afterEach(async () => {
  await removeTempRoot(root);
});

/** Runs the step and returns what it reported, every argv it spawned, and its outcome or failure. */
async function run(step: ReturnType<typeof scriptedStep>, signal?: AbortSignal) {
  const progress: StepProgress[] = [];
  const spawned: (readonly string[])[] = [];
  let failure: StepFailure | undefined;
  const outcome = await runStep(
    step,
    runOptions(root, {
      secrets,
      signal,
      onProgress: (event) => progress.push(event),
      spawnObserver: (argv) => spawned.push([...argv]),
    }),
  ).catch((error: unknown) => {
    if (!(error instanceof StepFailure)) throw error;
    failure = error;
    return undefined;
  });
  const output = progress.filter((event) => event.kind === 'output').map((event) => event.line);
  return { outcome, failure, progress, output, spawned };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('run actions', () => {
  it('feeds a Secret through stdin and redacts it from output', async () => {
    const step = scriptedStep((bag) => [
      {
        kind: 'run',
        argv: nodeScript(
          "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log(require('crypto').createHash('sha256').update(s).digest('hex'));console.log('echo:'+s)})",
        ),
        stdin: bag.token,
        why: 'test stdin',
      },
    ]);
    const { outcome, output, spawned } = await run(step);
    expect(outcome?.status).toBe('done');
    expect(output).toEqual([sha256(TOKEN), 'echo:***']);
    expect(spawned.flat().join(' ')).not.toContain(TOKEN);
  });

  it('writes secretFiles 0600 in a private 0700 folder and removes them after success', async () => {
    const step = scriptedStep((bag) => [
      {
        kind: 'run',
        argv: nodeScript(
          "const fs=require('fs'),p=require('path'),f=process.argv.at(-1);console.log(f);console.log((fs.statSync(f).mode&0o777).toString(8));console.log((fs.statSync(p.dirname(f)).mode&0o777).toString(8));console.log(fs.readFileSync(f,'utf8'))",
          '{{file:key}}',
        ),
        secretFiles: { key: bag.key! },
        why: 'test secret file',
      },
    ]);
    const { outcome, output, spawned } = await run(step);
    expect(outcome?.status).toBe('done');
    const [path, fileMode, dirMode, content] = output;
    expect(fileMode).toBe('600');
    expect(dirMode).toBe('700');
    expect(content).toBe('***');
    expect(existsSync(path!)).toBe(false);
    expect(existsSync(dirname(path!))).toBe(false);
    expect(spawned).toHaveLength(1);
    expect(spawned[0]).toContain(path);
    expect(spawned.flat().join(' ')).not.toContain(KEY);
  });

  it('removes secretFiles after a failure too', async () => {
    const step = scriptedStep((bag) => [
      {
        kind: 'run',
        argv: nodeScript('console.log(process.argv.at(-1));process.exitCode=3', '{{file:key}}'),
        secretFiles: { key: bag.key! },
        why: 'test failing secret file',
      },
    ]);
    const { failure, output } = await run(step);
    expect(failure?.code).toBe('COMMAND_FAILED');
    expect(failure?.exitCode).toBe(3);
    expect(output[0]).toMatch(/kumi-secret-/);
    expect(existsSync(output[0]!)).toBe(false);
  });

  it('COMMAND_FAILED carries the exit code, a redacted stderr tail of 20 lines and the command line', async () => {
    const argv = nodeScript(
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(let i=1;i<=30;i++)console.error('line '+i+' '+s);console.log('out '+s);process.exitCode=7})",
      '--key={{file:key}}',
    );
    const step = scriptedStep((bag) => [
      { kind: 'run', argv, stdin: bag.token, secretFiles: { key: bag.key! }, why: 'test failure' },
    ]);
    const { failure, output } = await run(step);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure?.code).toBe('COMMAND_FAILED');
    expect(failure?.exitCode).toBe(7);
    const tail = failure!.stderrTail.split('\n');
    expect(tail).toHaveLength(20);
    expect(tail[0]).toBe('line 11 ***');
    expect(tail[19]).toBe('line 30 ***');
    expect(failure?.command).toMatch(/^\S+ -e .* -- --key=\/\S+kumi-secret-\S+\/key$/);
    expect(failure?.message).toContain('exited with code 7');
    expect(output).toContain('out ***');
    expect(failure?.stderrTail).not.toContain(TOKEN);
    const everything = JSON.stringify({ message: failure?.message, tail: failure?.stderrTail, command: failure?.command, output });
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(KEY);
  });

  it('accepts the exit codes listed in okExitCodes', async () => {
    const step = scriptedStep([{ kind: 'run', argv: nodeScript('process.exit(2)'), okExitCodes: [0, 2], why: 'test ok codes' }]);
    expect((await run(step)).outcome?.status).toBe('done');
  });

  it('reports a command that cannot start as COMMAND_FAILED with exit code -1', async () => {
    const step = scriptedStep([{ kind: 'run', argv: ['kumi-no-such-command-xyz', '--help'], why: 'test missing' }]);
    const { failure } = await run(step);
    expect(failure?.code).toBe('COMMAND_FAILED');
    expect(failure?.exitCode).toBe(-1);
    expect(failure?.message).toContain('could not start');
  });

  it('refuses a plan that puts a secret into argv, before spawning anything', async () => {
    const step = scriptedStep((bag) => [{ kind: 'run', argv: ['echo', bag.token!.reveal()], why: 'bad step' }]);
    const { failure, spawned } = await run(step);
    expect(failure?.code).toBe('INTERNAL');
    expect(failure?.message).not.toContain(TOKEN);
    expect(spawned).toEqual([]);
  });

  it('kills the running command and fails CANCELLED when aborted', async () => {
    const controller = new AbortController();
    const step = scriptedStep([
      { kind: 'run', argv: nodeScript("console.log('started');setTimeout(()=>{},30000)"), why: 'test cancel' },
      { kind: 'write', path: '/after-cancel', content: 'x', why: 'must not run' },
    ]);
    const started = Date.now();
    const running = run(step, controller.signal);
    setTimeout(() => controller.abort(), 300);
    const { failure } = await running;
    expect(failure?.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(`${root}/after-cancel`)).toBe(false);
  });
});

describe('redaction of multi-line secrets', () => {
  it('redacts each line of a PEM key printed line by line', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const step = scriptedStep(
      (bag) => [{ kind: 'run', argv: nodeScript("process.stdin.pipe(process.stdout)"), stdin: bag.pem, why: 'echo key' }],
      { secrets: ['pem'] },
    );
    const progress: StepProgress[] = [];
    await runStep(step, runOptions(root, { secrets: { pem: new Secret(pem) }, onProgress: (event) => progress.push(event) }));
    const lines = progress.filter((event) => event.kind === 'output').map((event) => event.line);
    expect(lines).toEqual(['***', '***', '***', '***']);
  });
});
