import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventRecorder } from '../session/event-recorder';
import { Outbox } from './outbox';

const CHILD = fileURLToPath(new URL('./outbox-crash-child.ts', import.meta.url));

/** Runs the child to its SIGKILL; returns what it printed (~1 s: tsx start-up). */
function runChild(stateDir: string): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve) => {
    // tsx as a loader in this one process, so the SIGKILL is the child's own.
    execFile(process.execPath, ['--import', 'tsx', CHILD, stateDir], { timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) =>
      resolve({ signal: (error as (Error & { signal?: NodeJS.Signals }) | null)?.signal ?? null, stdout }),
    );
  });
}

describe('Outbox across a SIGKILL', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-agent-outbox-crash-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs once per burst, sends only what is on disk, and replays every unacknowledged event exactly once', async () => {
    const { signal, stdout } = await runChild(dir);
    expect(signal).toBe('SIGKILL');
    const report = JSON.parse(stdout.trim()) as { sent: string[]; fsyncs: number };
    const r1 = Array.from({ length: 22 }, (_, index) => `r1#${index + 1}`);
    const r2 = Array.from({ length: 4 }, (_, index) => `r2#${index + 1}`);
    expect(report.sent).toEqual([...r1, ...r2]);
    expect(report.fsyncs).toBe(2);

    const reopened = Outbox.open(dir);
    const pending = reopened.pending().map((event) => `${event.runId}#${event.seq}`);
    // Acked events are gone, the rest is there once each, in order; the last burst never
    // reached the disk and was never sent, so its seqs are free to use again.
    expect(pending).toEqual([...r1.slice(10), ...r2]);
    expect(reopened.lastSeq('r2')).toBe(4);
    expect(reopened.lastSeq('r3')).toBe(0);
    expect(reopened.inHand()?.runId).toBe('r2');
    const next = new EventRecorder(reopened, 'h1').record('r2', 'demo.step', { kind: 'EVENT_KIND_PROGRESS', text: 'after restart' });
    expect(next.seq).toBe(5);
    reopened.close();
    expect(Outbox.open(dir).pending().map((event) => `${event.runId}#${event.seq}`)).toEqual([...r1.slice(10), ...r2, 'r2#5']);
  });
});
