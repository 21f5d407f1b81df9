import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { specFile, writeServiceRecord, type ServiceRecord, type ServiceSpec } from './services';

const START_LIMIT_BURST = 5;
const START_LIMIT_INTERVAL_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;

/**
 * Runs one service to its end: spawns the main process in its own process group, records
 * its pid and exit, restarts it per Restart= (at most 5 starts in 10 s, like systemd's
 * default start limit), and on SIGTERM stops it (SIGKILL after 5 s).
 */
export async function runServiceMonitor(name: string): Promise<void> {
  const spec = JSON.parse(readFileSync(specFile(name), 'utf8')) as ServiceSpec;
  rmSync(specFile(name), { force: true });
  const record: ServiceRecord = { name, state: 'starting', monitorPid: process.pid, restarts: 0, argv: spec.argv, logFile: spec.logFile };
  writeServiceRecord(record);
  let stopping = false;
  let child: ChildProcess | undefined;
  process.on('SIGTERM', () => {
    stopping = true;
    writeServiceRecord({ ...record, state: 'stopping' });
    if (child?.pid) {
      killGroup(child.pid, 'SIGTERM');
      const pid = child.pid;
      setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_TIMEOUT_MS).unref();
    }
  });
  const starts: number[] = [];
  for (;;) {
    // SIGTERM may come before the first spawn (a stop right after a start): start nothing then.
    if (stopping) {
      writeServiceRecord({ ...record, state: 'inactive' });
      return;
    }
    starts.push(Date.now());
    mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const log = openSync(spec.logFile, 'a');
    const [file, ...args] = spec.argv;
    const running = spawn(file as string, args, { detached: true, stdio: ['ignore', log, log], env: spec.env, cwd: '/' });
    closeSync(log);
    child = running;
    const exit = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
      running.once('error', (error) => resolve({ code: 203, signal: null, error }));
      running.once('spawn', () => {
        Object.assign(record, { state: 'running', mainPid: running.pid, startedAt: new Date().toISOString(), exitCode: undefined, signal: undefined });
        if (!stopping) writeServiceRecord(record);
      });
      running.once('exit', (code, signal) => resolve({ code, signal }));
    });
    Object.assign(record, { exitCode: exit.code, signal: exit.signal, mainPid: undefined });
    if (stopping) {
      writeServiceRecord({ ...record, state: 'inactive' });
      return;
    }
    const failed = exit.code !== 0;
    const again = spec.restart === 'always' || (spec.restart === 'on-failure' && failed);
    const recent = starts.filter((t) => Date.now() - t < START_LIMIT_INTERVAL_MS);
    if (!again || recent.length >= START_LIMIT_BURST) {
      writeServiceRecord({ ...record, state: failed || again ? 'failed' : spec.remainAfterExit ? 'exited' : 'inactive' });
      return;
    }
    record.restarts += 1;
    writeServiceRecord({ ...record, state: 'starting' });
    await sleep(spec.restartSec * 1000);
    if (stopping) {
      writeServiceRecord({ ...record, state: 'inactive' });
      return;
    }
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
