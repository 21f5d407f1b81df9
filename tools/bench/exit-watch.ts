import { Worker } from 'node:worker_threads';

/**
 * Polls /proc/PID/stat every millisecond on its own thread and posts when the process is a
 * zombie or gone. Its own thread: the benchmark's main thread is busiest exactly when the
 * process it stops exits (a thousand simulated agents lose their connections at once), and
 * would see the child's exit event hundreds of ms late.
 */
const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const exited = () => {
  try {
    const stat = readFileSync('/proc/' + workerData.pid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
};
const deadline = Date.now() + workerData.limitMs;
parentPort.postMessage('watching');
const poll = () => {
  if (exited() || Date.now() > deadline) parentPort.postMessage(performance.timeOrigin + performance.now());
  else setTimeout(poll, 1);
};
poll();
`;

/**
 * Starts watching pid; resolves once the watcher polls, with the wall-clock time
 * (performance.timeOrigin + performance.now(), ms) at which pid exited, seen from a thread
 * of its own (or limitMs passed).
 */
export async function watchExit(pid: number, limitMs: number): Promise<{ exitedAt: Promise<number> }> {
  const worker = new Worker(WATCHER, { eval: true, workerData: { pid, limitMs } });
  const exitedAt = new Promise<number>((resolve, reject) => {
    worker.on('message', (message: 'watching' | number) => {
      if (message === 'watching') return;
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return { exitedAt };
}

/** Now, on the same clock as watchExit. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
