// Child process of outbox-crash.test.ts: records events the way a running agent does, in
// bursts, "sends" each one (a line on stdout) once it is handed on, applies an ack, and
// dies by SIGKILL in the middle of a burst. Run with tsx; argv: the state folder.
import { EventRecorder } from '../session/event-recorder';
import { Outbox } from './outbox';

const stateDir = process.argv[2];
if (!stateDir) throw new Error('usage: outbox-crash-child STATE_DIR');
const outbox = Outbox.open(stateDir);
const recorder = new EventRecorder(outbox, 'h1');
const sent: string[] = [];
const output = (runId: string, count: number): void => {
  for (let line = 1; line <= count; line += 1) recorder.record(runId, 'demo.step', { kind: 'EVENT_KIND_OUTPUT', text: `line ${line}`, stream: 'OUTPUT_STREAM_STDOUT' });
};
const next: Record<string, () => void> = {
  // Burst 1 is on disk and sent: the coordinator acknowledged half of it. Burst 2: a run
  // that has not ended, in hand.
  'r1#22': () => {
    outbox.ack('r1', 10);
    recorder.begin('r2', 'demo.step');
    recorder.record('r2', 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
    output('r2', 3);
  },
  // Burst 2 is on disk and sent. Burst 3 never reaches the disk: the process dies in the
  // same turn.
  'r2#4': () => {
    process.stdout.write(`${JSON.stringify({ sent, fsyncs: outbox.fsyncCount })}\n`);
    recorder.record('r2', 'demo.step', { kind: 'EVENT_KIND_OUTPUT', text: 'lost', stream: 'OUTPUT_STREAM_STDOUT' });
    recorder.record('r3', 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
    process.kill(process.pid, 'SIGKILL');
  },
};
recorder.onEvent((event) => {
  const id = `${event.runId}#${event.seq}`;
  sent.push(id);
  // After the whole burst has been handed on.
  if (next[id]) setImmediate(next[id]);
});

// Burst 1, one turn of the event loop: a whole run.
recorder.begin('r1', 'demo.step');
recorder.record('r1', 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
output('r1', 20);
recorder.record('r1', 'demo.step', { kind: 'EVENT_KIND_DONE', outputsJson: '{}' });
