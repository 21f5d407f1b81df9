import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../host/services';
import { type HostEnv, hostPath, KubePaths } from './host-env';

/** A program line: executable and arguments. */
export interface Program {
  readonly command: string;
  readonly args: readonly string[];
}

function pidFile(host: HostEnv, name: string): string {
  return hostPath(host, path.join(KubePaths.standinRunDir, `${name}.pid`));
}

/** The log file of a stand-in service. */
export function serviceLogFile(host: HostEnv, name: string): string {
  return hostPath(host, path.join(KubePaths.standinLogDir, `${name}.log`));
}

/** The pid of a running service of this host, if any. */
export function servicePid(host: HostEnv, name: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFile(host, name), 'utf8').trim();
  } catch {
    return undefined;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

/**
 * Starts a long-running process of this host (the lab's equivalent of a static pod):
 * detached, in its own process group, output appended to its log, pid recorded.
 * Secrets never go on its command line: it reads them from the host's files.
 */
export function startService(host: HostEnv, name: string, program: Program, env: NodeJS.ProcessEnv = process.env): number {
  const running = servicePid(host, name);
  if (running !== undefined) return running;
  const log = serviceLogFile(host, name);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.mkdirSync(path.dirname(pidFile(host, name)), { recursive: true });
  const fd = fs.openSync(log, 'a');
  try {
    const child = spawn(program.command, [...program.args], { detached: true, stdio: ['ignore', fd, fd], env });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${program.command})`);
    fs.writeFileSync(pidFile(host, name), `${child.pid}\n`);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/** Stops a service (SIGTERM, then SIGKILL after `graceMs`) and removes its pid file. */
export async function stopService(host: HostEnv, name: string, graceMs = 5000): Promise<boolean> {
  const pid = servicePid(host, name);
  fs.rmSync(pidFile(host, name), { force: true });
  if (pid === undefined) return false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) signalGroup('SIGKILL');
  return true;
}
