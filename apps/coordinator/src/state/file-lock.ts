import { createHash, randomBytes } from 'node:crypto';
import { link, open, rename, rm, writeFile } from 'node:fs/promises';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

const RETRY_MS = 20;
const WAIT_LIMIT_MS = 10_000;
/** A lock older than this belongs to a process that died while holding it. */
const STALE_MS = 30_000;

/** Timing of withFileLock; tests shorten it. */
export interface FileLockTiming {
  waitLimitMs?: number;
  staleMs?: number;
}

/**
 * Runs fn while holding an exclusive lock file, for a short update of one shared file by
 * processes that may run at once (e.g. the agent build merging SHA256SUMS). The cluster
 * state does not use it: it has one owner process (state-lock.ts). Waits at most 10 s; a
 * lock left by a crashed process is taken over after 30 s.
 *
 * The lock file holds "pid nonce". It is made complete under a private name and then
 * link()ed into place, which fails if a lock exists, so a reader never sees a half-written
 * lock. Taking over a stale lock is decided by link()ing a marker named after the stale
 * lock's content: only one process can create it, and only that one replaces the stale
 * lock (by rename). Release deletes the lock only while it still holds our nonce.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, timing: FileLockTiming = {}): Promise<T> {
  const owner = `${process.pid} ${randomBytes(16).toString('hex')}\n`;
  const draft = `${lockPath}.${randomBytes(8).toString('hex')}.draft`;
  try {
    await acquire(lockPath, owner, draft, timing);
  } finally {
    await rm(draft, { force: true });
  }
  try {
    return await fn();
  } finally {
    // Another process may have taken the lock over (we looked dead); its lock is not ours to delete.
    if ((await readLock(lockPath))?.content === owner) await rm(lockPath, { force: true });
  }
}

async function acquire(lockPath: string, owner: string, draft: string, timing: FileLockTiming): Promise<void> {
  const deadline = Date.now() + (timing.waitLimitMs ?? WAIT_LIMIT_MS);
  const staleMs = timing.staleMs ?? STALE_MS;
  for (;;) {
    // Rewritten each attempt, so the lock's mtime is the moment it was taken.
    await writeFile(draft, owner, { mode: 0o600 });
    if (await linkIfAbsent(draft, lockPath)) return;
    const current = await readLock(lockPath);
    if (current !== undefined && current.ageMs > staleMs && (await takeOver(lockPath, current.content, draft))) return;
    if (Date.now() > deadline) {
      const holder = current?.content.split(' ')[0]?.trim() || '?';
      throw new CliError(
        `state folder is locked by another kumi process (${lockPath}, pid ${holder}); retry, or remove the file if no kumi process is running`,
        ExitCode.STATE,
      );
    }
    // Released between our link and read: try again at once.
    if (current !== undefined) await new Promise((done) => setTimeout(done, RETRY_MS));
  }
}

/**
 * Replaces the stale lock whose content is `stale` with `draft`; false when another
 * process is taking it over, or the lock changed meanwhile.
 */
async function takeOver(lockPath: string, stale: string, draft: string): Promise<boolean> {
  const marker = takeoverMarkerPath(lockPath, stale);
  if (!(await linkIfAbsent(draft, marker))) return false;
  try {
    // Only the marker's owner may replace this content, and content never repeats, so
    // seeing it again here means nobody took the lock since we judged it stale.
    if ((await readLock(lockPath))?.content !== stale) return false;
    await rename(draft, lockPath);
    return true;
  } finally {
    await rm(marker, { force: true });
  }
}

/** The file whose creation (by link, so only once) grants the right to replace the stale lock `content`. */
export function takeoverMarkerPath(lockPath: string, content: string): string {
  return `${lockPath}.takeover-${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The lock's content and age, read through one handle so both describe the same file. */
async function readLock(lockPath: string): Promise<{ content: string; ageMs: number } | undefined> {
  let handle;
  try {
    handle = await open(lockPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const [content, info] = [await handle.readFile('utf8'), await handle.stat()];
    return { content, ageMs: Date.now() - info.mtimeMs };
  } finally {
    await handle.close();
  }
}
