import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export class LockHeldError extends Error {
  constructor(file: string, owner: LockOwner) {
    super(
      `another kumi (pid ${owner.pid} on ${owner.host}, "${owner.command}", since ${owner.since}) is working on this cluster; ` +
        `wait for it to finish, or if that process is gone, remove ${file}`,
    );
    this.name = 'LockHeldError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds the cluster's lock file so two coordinators never drive one cluster at once. A
 * lock left by a dead process on this machine is taken over; one from another machine is
 * respected, because its process cannot be checked from here.
 */
export class ClusterLock {
  readonly file: string;
  #held = false;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'kumi.lock');
  }

  acquire(command: string): void {
    const owner: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, 'wx', 0o600);
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        this.#held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = this.#owner();
      if (current && (current.host !== owner.host || alive(current.pid))) throw new LockHeldError(this.file, current);
      rmSync(this.file, { force: true });
    }
    throw new Error(`could not take the lock ${this.file}; remove it if no kumi is running`);
  }

  release(): void {
    if (!this.#held) return;
    rmSync(this.file, { force: true });
    this.#held = false;
  }

  #owner(): LockOwner | undefined {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LockOwner;
    } catch {
      return undefined;
    }
  }
}
