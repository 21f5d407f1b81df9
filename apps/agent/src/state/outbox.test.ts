import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../session/event-kinds';
import { EventRecorder, failedBody } from '../session/event-recorder';
import { reportInterruptedRun } from '../session/interrupted-run';
import { Outbox, OUTBOX_FILE } from './outbox';

const silent = pino({ level: 'silent' });

describe('Outbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-agent-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function recordRun(recorder: EventRecorder, runId: string, lines: number, end: boolean): void {
    recorder.record(runId, 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
    for (let line = 0; line < lines; line += 1) recorder.record(runId, 'demo.step', { kind: 'EVENT_KIND_OUTPUT', text: `line ${line}`, stream: 'OUTPUT_STREAM_STDOUT' });
    if (end) recorder.record(runId, 'demo.step', { kind: 'EVENT_KIND_DONE', outputsJson: '{}' });
    // The end of the burst: on disk and sent, so the coordinator may acknowledge it.
    recorder.flush();
  }

  const ids = (events: readonly AgentEvent[]): string[] => events.map((event) => `${event.runId}#${event.seq}`);

  it('persists events (0600) and replays them in order after a restart', async () => {
    const first = Outbox.open(dir);
    recordRun(new EventRecorder(first, 'h1'), 'r1', 2, true);
    recordRun(new EventRecorder(first, 'h1'), 'r2', 1, false);
    first.close();
    expect((await stat(join(dir, OUTBOX_FILE))).mode & 0o777).toBe(0o600);

    const second = Outbox.open(dir);
    expect(ids(second.pending())).toEqual(['r1#1', 'r1#2', 'r1#3', 'r1#4', 'r2#1', 'r2#2']);
    expect(second.pending()[1]).toMatchObject({ host: 'h1', kind: 'EVENT_KIND_OUTPUT', text: 'line 0', stream: 'OUTPUT_STREAM_STDOUT' });
    expect(second.lastSeq('r2')).toBe(2);
    expect(second.lastSeq('r1')).toBe(0);
    second.close();
  });

  it('prunes acknowledged events, also across a restart', async () => {
    const outbox = Outbox.open(dir);
    recordRun(new EventRecorder(outbox, 'h1'), 'r1', 3, true);
    outbox.ack('r1', 2);
    expect(ids(outbox.pending())).toEqual(['r1#3', 'r1#4', 'r1#5']);
    outbox.ack('other', 99);
    expect(outbox.pending()).toHaveLength(3);
    outbox.close();

    const reopened = Outbox.open(dir);
    expect(ids(reopened.pending())).toEqual(['r1#3', 'r1#4', 'r1#5']);
    reopened.ack('r1', 5);
    expect(reopened.pending()).toEqual([]);
    reopened.close();
    expect(ids(Outbox.open(dir).pending())).toEqual([]);
  });

  it('rewrites the file to nothing once nothing is pending after a few hundred records, not after every run', async () => {
    const outbox = Outbox.open(dir);
    const recorder = new EventRecorder(outbox, 'h1');
    for (let run = 1; run <= 150; run += 1) {
      recordRun(recorder, `r${run}`, 0, true);
      outbox.ack(`r${run}`, 2);
    }
    const syncsFor150Runs = outbox.fsyncCount;
    const lines = (await readFile(join(dir, OUTBOX_FILE), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(450); // 150 × (START, DONE, ack): no rewrite yet
    for (let run = 151; run <= 300; run += 1) {
      recordRun(recorder, `r${run}`, 0, true);
      outbox.ack(`r${run}`, 2);
    }
    // Nothing pending and no open run: compacted to nothing on the way.
    expect((await readFile(join(dir, OUTBOX_FILE), 'utf8')).trim().split('\n').length).toBeLessThan(450);
    outbox.close();
    expect(syncsFor150Runs).toBe(150); // one per burst, none for acks
  });

  it('keeps counting seq for an open run after everything was acked and compacted', async () => {
    const outbox = Outbox.open(dir);
    const recorder = new EventRecorder(outbox, 'h1');
    recordRun(recorder, 'r1', 2, false);
    outbox.ack('r1', 3);
    outbox.close();

    const reopened = Outbox.open(dir);
    expect(reopened.pending()).toEqual([]);
    expect(reopened.lastSeq('r1')).toBe(3);
    const next = new EventRecorder(reopened, 'h1').record('r1', 'demo.step', { kind: 'EVENT_KIND_PROGRESS', text: 'still going' });
    expect(next.seq).toBe(4);
    reopened.close();
  });

  it('rewrites a long file on ack even while events are pending, keeping order and open runs', async () => {
    const outbox = Outbox.open(dir);
    const recorder = new EventRecorder(outbox, 'h1');
    recordRun(recorder, 'busy', 10_050, false);
    recorder.record('tail', 'demo.step', { kind: 'EVENT_KIND_START' });
    outbox.ack('busy', 10_000);
    outbox.close();
    const lines = (await readFile(join(dir, OUTBOX_FILE), 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(60);
    const reopened = Outbox.open(dir);
    expect(ids(reopened.pending())).toEqual([...Array.from({ length: 51 }, (_, index) => `busy#${10_001 + index}`), 'tail#1']);
    expect(reopened.lastSeq('busy')).toBe(10_051);
    reopened.close();
  });

  it('ignores a torn last line from a crash mid-write', async () => {
    const outbox = Outbox.open(dir);
    recordRun(new EventRecorder(outbox, 'h1'), 'r1', 1, false);
    outbox.close();
    await appendFile(join(dir, OUTBOX_FILE), '{"event":{"runId":"r1","se');
    const reopened = Outbox.open(dir);
    expect(ids(reopened.pending())).toEqual(['r1#1', 'r1#2']);
    reopened.close();
  });

  it('reports a run cut short by a crash as INTERRUPTED with the next seq, exactly once, also after a rewrite', async () => {
    const outbox = Outbox.open(dir);
    const recorder = new EventRecorder(outbox, 'h1');
    recorder.begin('r1', 'net.wait-tcp');
    recordRun(recorder, 'r1', 2, false);
    outbox.ack('r1', 2);
    expect(outbox.inHand()).toMatchObject({ runId: 'r1', step: 'net.wait-tcp' });
    outbox.close(); // the process dies here, the run still in hand

    const restarted = Outbox.open(dir);
    expect(restarted.inHand()?.runId).toBe('r1');
    reportInterruptedRun(restarted, new EventRecorder(restarted, 'h1'), silent);
    expect(restarted.pending().map((event) => [event.seq, event.kind, event.error?.code ?? null])).toEqual([
      [3, 'EVENT_KIND_OUTPUT', null],
      [4, 'EVENT_KIND_FAILED', 'ERROR_CODE_INTERRUPTED'],
    ]);
    expect(restarted.inHand()).toBeUndefined();
    restarted.close();

    const again = Outbox.open(dir);
    reportInterruptedRun(again, new EventRecorder(again, 'h1'), silent);
    expect(again.pending()).toHaveLength(2);
    again.close();
  });

  it('keeps the run in hand across a rewrite of the file', async () => {
    const outbox = Outbox.open(dir);
    const recorder = new EventRecorder(outbox, 'h1');
    recorder.begin('long', 'kubeadm.init');
    recordRun(recorder, 'long', 10_050, false);
    outbox.ack('long', 10_040);
    outbox.close();
    expect((await readFile(join(dir, OUTBOX_FILE), 'utf8')).trim().split('\n').length).toBeLessThan(20);
    const reopened = Outbox.open(dir);
    expect(reopened.inHand()).toMatchObject({ runId: 'long', step: 'kubeadm.init' });
    reportInterruptedRun(reopened, new EventRecorder(reopened, 'h1'), silent);
    expect(reopened.pending().at(-1)).toMatchObject({ seq: 10_052, error: { code: 'ERROR_CODE_INTERRUPTED' } });
    reopened.close();
  });

  it('reports INTERRUPTED as seq 1 when the process died before START was written', async () => {
    const first = Outbox.open(dir);
    new EventRecorder(first, 'h1').begin('r9', 'swap.off');
    first.close();
    const outbox = Outbox.open(dir);
    reportInterruptedRun(outbox, new EventRecorder(outbox, 'h1'), silent);
    expect(outbox.pending().map((event) => [event.runId, event.seq, event.step, event.error?.code])).toEqual([['r9', 1, 'swap.off', 'ERROR_CODE_INTERRUPTED']]);
    outbox.close();
  });

  it('does not report a run that ended, nor take another run\'s end for the end of the one in hand', async () => {
    const outbox = Outbox.open(dir);
    const recorder = new EventRecorder(outbox, 'h1');
    recorder.begin('r1', 'demo.step');
    recordRun(recorder, 'r1', 0, true);
    recorder.begin('r2', 'demo.step');
    recorder.record('r2', 'demo.step', { kind: 'EVENT_KIND_START' });
    recorder.record('r3', 'demo.step', failedBody('LOCKED', 'busy with r2'));
    outbox.close();
    const reopened = Outbox.open(dir);
    expect(reopened.inHand()?.runId).toBe('r2');
    reopened.close();

    const ended = Outbox.open(dir);
    new EventRecorder(ended, 'h1').record('r2', 'demo.step', { kind: 'EVENT_KIND_NOOP' });
    ended.close();
    const last = Outbox.open(dir);
    expect(last.inHand()).toBeUndefined();
    reportInterruptedRun(last, new EventRecorder(last, 'h1'), silent);
    expect(ids(last.pending())).toEqual(['r1#1', 'r1#2', 'r2#1', 'r3#1', 'r2#2']);
    last.close();
  });

  it('redacts secret values from every text field of an event', async () => {
    const outbox = Outbox.open(dir);
    const clean = (text: string): string => text.split('s3cr3t').join('***');
    const event = new EventRecorder(outbox, 'h1').record(
      'r1',
      'demo.step',
      { ...failedBody('COMMAND_FAILED', 'failed with s3cr3t', { stderrTail: 'bad s3cr3t', command: 'x s3cr3t' }), outputsJson: '{"a":"s3cr3t"}', planned: ['run s3cr3t'] },
      clean,
    );
    outbox.flush();
    expect(JSON.stringify(event)).not.toContain('s3cr3t');
    expect(await readFile(join(dir, OUTBOX_FILE), 'utf8')).not.toContain('s3cr3t');
    outbox.close();
  });
});
