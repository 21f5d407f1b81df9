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
recorder.onEvent((event) => sent.push(`${event.runId}#${event.seq}`));
const output = (runId: string, count: number): void => {
  for (let line = 1; line <= count; line += 1) recorder.record(runId, 'demo.step', { kind: 'EVENT_KIND_OUTPUT', text: `line ${line}`, stream: 'OUTPUT_STREAM_STDOUT' });
};

// Burst 1, one turn of the event loop: a whole run.
recorder.record('r1', 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
output('r1', 20);
recorder.record('r1', 'demo.step', { kind: 'EVENT_KIND_DONE', outputsJson: '{}' });
setImmediate(() => {
  // The coordinator acknowledged half of what it was sent.
  outbox.ack('r1', 10);
  // Burst 2: a run that has not ended.
  recorder.record('r2', 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
  output('r2', 3);
  setImmediate(() => {
    process.stdout.write(`${JSON.stringify({ sent, fsyncs: outbox.fsyncCount })}\n`);
    // Burst 3 never reaches the disk: the process dies in the same turn.
    recorder.record('r2', 'demo.step', { kind: 'EVENT_KIND_OUTPUT', text: 'lost', stream: 'OUTPUT_STREAM_STDOUT' });
    recorder.record('r3', 'demo.step', { kind: 'EVENT_KIND_START', text: 'Demo' });
    process.kill(process.pid, 'SIGKILL');
  });
});
