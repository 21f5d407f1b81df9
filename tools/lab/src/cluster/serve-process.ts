import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { coordinatorArgv } from '../in-host';

/** A `kumi serve` running at 192.0.2.1 in the lab's switch namespace. */
export interface ServeProcess {
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Starts `kumi serve` in the switch namespace (nsenter -n into the switch: the bridge address
 * 192.0.2.1, the machine's files, so the state folder and control socket are the machine's),
 * with stdout and stderr in logFile, and waits (bounded) for its "listening on" line.
 */
export async function startServe(kumiBundle: string, stateDir: string, logFile: string, timeoutMs = 30_000): Promise<ServeProcess> {
  const [file, ...args] = coordinatorArgv([process.execPath, '--enable-source-maps', kumiBundle, 'serve']);
  // The log is appended to across restarts: only what this process writes counts.
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const out = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(file as string, args, { env: { ...process.env, KUMI_STATE_DIR: stateDir, NO_COLOR: '1' }, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  const stop = async (): Promise<void> => {
    if (!alive(child)) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 50 && alive(child); i++) await sleep(100);
    if (alive(child)) child.kill('SIGKILL');
    for (let i = 0; i < 50 && alive(child); i++) await sleep(100);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const log = readFileSync(logFile).subarray(logStart).toString('utf8');
    if (/kumi serve: .* listening on /.test(log)) return { pid: child.pid ?? -1, logFile, stop };
    if (!alive(child)) throw new Error(`kumi serve exited (${child.exitCode ?? child.signalCode}) before listening:\n${log.slice(-2000)}`);
    await sleep(100);
  }
  await stop();
  throw new Error(`kumi serve did not report listening within ${timeoutMs} ms; see ${logFile}`);
}
