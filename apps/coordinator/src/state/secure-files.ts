import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

/** Creates dir (and parents) and makes it 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Writes a file with mode 0600 atomically: a temporary file beside it is written,
 * flushed and renamed over the target, so readers never see half a file.
 */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // A full disk or a failed rename must not leave a stray copy of a key or token store.
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a new 0600 file; fails with EEXIST instead of replacing one. */
export async function createPrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Reads a JSON file, or returns undefined when it does not exist. A file that is not
 * JSON is a state error (exit 3) naming the file and the fix.
 */
export async function readJsonIfExists(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    // The SyntaxError quotes part of the file, which may be secret: name only the file.
    throw new CliError(`${path} is not valid JSON (damaged or hand-edited): restore it from a backup, or move it aside`, ExitCode.STATE);
  }
}
