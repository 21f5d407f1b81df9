import { open, rm, stat } from 'node:fs/promises';

const RETRY_MS = 20;
const WAIT_LIMIT_MS = 10_000;
/** A lock older than this belongs to a process that died while holding it. */
const STALE_MS = 30_000;

/**
 * Runs fn while holding an exclusive lock file (created with O_EXCL), so that `kumi
 * serve` burning a token and `kumi token create` in another process never lose each
 * other's writes. Waits at most 10 s; a lock left by a crashed process is taken over
 * after 30 s.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await lockAge(lockPath);
      if (age !== undefined && age > STALE_MS) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`state folder is locked by another kumi process (${lockPath}); retry, or remove the file if no kumi process is running`);
      }
      await new Promise((done) => setTimeout(done, RETRY_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function lockAge(lockPath: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
}
