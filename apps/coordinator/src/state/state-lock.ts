import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

/** Who holds a state folder. */
export interface StateOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** The state folder is held by another live process. */
export class StateHeldError extends CliError {
  constructor(
    readonly lockPath: string,
    readonly owner: StateOwner,
  ) {
    super(
      `the cluster state is held by another kumi process (pid ${owner.pid} on ${owner.host}, "${owner.command}", since ${owner.since}); ` +
        `wait for it to finish or stop it; if that process is gone, remove ${lockPath}`,
      ExitCode.STATE,
    );
    this.name = 'StateHeldError';
  }
}

/**
 * Takes the state folder's lock file for the life of this process: it only keeps two kumi
 * processes from owning one folder, and is taken once when a command opens the state,
 * never per change. A lock left by a dead process of this machine is taken over; one
 * from another machine is respected, since its process cannot be checked from here.
 * The file goes when release() is called or the process exits.
 */
export function acquireStateLock(lockPath: string, command: string): { release(): void } {
  const owner: StateOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(owner)}\n`);
      } finally {
        closeSync(fd);
      }
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        process.off('exit', release);
        rmSync(lockPath, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readStateOwner(lockPath);
    if (current && (current.host !== owner.host || isAlive(current.pid))) throw new StateHeldError(lockPath, current);
    rmSync(lockPath, { force: true });
  }
  throw new CliError(`could not take the state lock ${lockPath}: another kumi process took it at the same moment; retry`, ExitCode.STATE);
}

/** The lock's owner, if the file exists and is readable. Locks of older kumi versions hold "pid nonce". */
export function readStateOwner(lockPath: string): StateOwner | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as StateOwner;
  } catch {
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) ? { pid, host: hostname(), command: 'an older kumi', since: '?' } : undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
