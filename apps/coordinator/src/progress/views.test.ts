import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveView } from './live-view';
import { JsonView, PlainView } from './plain-view';
import type { ProgressEvent } from './progress-event';

const at = '2026-11-27T10:00:05.000Z';
const events: ProgressEvent[] = [
  { time: at, kind: 'STAGE_START', stage: 'prepare', host: '', step: '', seq: 0, text: '6 hosts in parallel' },
  { time: at, kind: 'START', stage: 'prepare', host: 'master1', step: 'swap.off', seq: 1, text: 'Turn swap off' },
  { time: at, kind: 'OUTPUT', stage: 'prepare', host: 'master1', step: 'swap.off', seq: 2, text: 'swapoff -a' },
  {
    time: at,
    kind: 'FAILED',
    stage: 'prepare',
    host: 'worker1',
    step: 'kernel.modules',
    seq: 3,
    text: '',
    error: { code: 'COMMAND_FAILED', message: 'modprobe br_netfilter exited 1' },
  },
  { time: at, kind: 'STAGE_FAILED', stage: 'prepare', host: '', step: '', seq: 0, text: '1 host failed' },
];

describe('PlainView', () => {
  it('prints one timestamped line per event, errors with their code', () => {
    const lines: string[] = [];
    const view = new PlainView((line) => lines.push(line));
    for (const e of events) view.event(e);
    expect(lines).toEqual([
      '10:00:05 == prepare start: 6 hosts in parallel',
      '10:00:05 master1      swap.off                 START    Turn swap off',
      '10:00:05 master1      swap.off                 OUTPUT   swapoff -a',
      '10:00:05 worker1      kernel.modules           FAILED   COMMAND_FAILED: modprobe br_netfilter exited 1',
      '10:00:05 == prepare failed: 1 host failed',
    ]);
  });
});

describe('JsonView', () => {
  it('writes NDJSON that carries host, stage, step, kind and seq', () => {
    const lines: string[] = [];
    const view = new JsonView((line) => lines.push(line));
    for (const e of events) view.event(e);
    const parsed = lines.map((line) => JSON.parse(line) as ProgressEvent);
    expect(parsed.map((e) => [e.host, e.stage, e.step, e.kind, e.seq])).toEqual(events.map((e) => [e.host, e.stage, e.step, e.kind, e.seq]));
  });
});

describe('LiveView', () => {
  it('keeps one line per host with its step, state and last output, and scrolls failures above', () => {
    const out = Object.assign(new PassThrough(), { columns: 120, isTTY: true }) as unknown as NodeJS.WriteStream;
    let written = '';
    (out as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk.toString()));
    const view = new LiveView(out, () => Date.parse(at));
    for (const e of events.slice(0, 4)) view.event(e);
    view.close();
    const screen = written.replace(/\x1b\[[0-9]*[AK]/g, '');
    expect(screen).toContain('✗ worker1 kernel.modules: COMMAND_FAILED modprobe br_netfilter exited 1');
    expect(screen).toContain('▸ prepare — 6 hosts in parallel');
    expect(screen).toMatch(/master1\s+swap\.off\s+OUTPUT\s+0s\s+swapoff -a/);
  });
});

describe('run-level events', () => {
  const failure: ProgressEvent = {
    time: at,
    kind: 'FAILURE',
    stage: 'join-workers',
    host: 'worker1',
    step: 'kubeadm.join',
    seq: 9,
    path: 'join-workers/kubeadm.join@worker1',
    text: 'join-workers/kubeadm.join@worker1 failed: COMMAND_FAILED: exit 1\n    retry: kumi up s.yaml --only join-workers/kubeadm.join@worker1',
    retry: 'kumi up s.yaml --only join-workers/kubeadm.join@worker1',
  };
  const done: ProgressEvent = { time: at, kind: 'RUN_DONE', stage: '', host: '', step: '', seq: 10, text: 'kumi up: cluster "c" done in 5m' };

  it('plain lines show failures with their retry command and the run result', () => {
    const lines: string[] = [];
    const view = new PlainView((line) => lines.push(line));
    view.event(failure);
    view.event(done);
    expect(lines).toEqual([`10:00:05 !! worker1: ${failure.text}`, '10:00:05 kumi up: cluster "c" done in 5m']);
  });

  it('the live view scrolls them above the host lines', () => {
    const out = Object.assign(new PassThrough(), { columns: 120, isTTY: true }) as unknown as NodeJS.WriteStream;
    let written = '';
    (out as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk.toString()));
    const view = new LiveView(out, () => Date.parse(at));
    view.event(failure);
    view.event(done);
    view.close();
    expect(written).toContain('✗ worker1: join-workers/kubeadm.join@worker1 failed');
    expect(written).toContain('retry: kumi up s.yaml --only join-workers/kubeadm.join@worker1');
    expect(written).toContain('kumi up: cluster "c" done in 5m');
  });
});
