import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RemoveAction, SymlinkAction, WriteAction } from '../plan';
import { resolveUnderRoot } from '../resolve-under-root';
import { StepFailure } from '../run-types';
import { Secret } from '../secret';
import type { ExecutionContext } from './execution-context';

const DEFAULT_MODE = 0o644;
const SECRET_MODE = 0o600;
const FOLDER_MODE = 0o755;

/**
 * Writes a whole file under the root: to a temp file beside it (mode applied, synced),
 * then renamed over the target, so readers never see half a file. `inPlace` writes
 * kernel interface files directly instead.
 */
export async function writeAction(action: WriteAction, context: ExecutionContext): Promise<void> {
  const target = underRoot(action.path, context);
  const content = action.content instanceof Secret ? action.content.reveal() : action.content;
  try {
    if (action.inPlace === true) {
      await writeInPlace(target, action.path, content, action.why);
      return;
    }
    const mode = action.content instanceof Secret ? SECRET_MODE : (action.mode ?? DEFAULT_MODE);
    await mkdir(dirname(target), { recursive: true, mode: FOLDER_MODE });
    const temp = tempPathBeside(target);
    try {
      const handle = await open(temp, 'wx', mode);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.chmod(mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throw fileFailure(`cannot write ${action.path}`, error, context);
  }
}

async function writeInPlace(target: string, hostPath: string, content: string, why: string): Promise<void> {
  try {
    await stat(target);
  } catch {
    throw new StepFailure(
      'FILE_FAILED',
      `cannot write ${hostPath}: it does not exist (kernel interface files are never created; ${why})`,
    );
  }
  await writeFile(target, content, { encoding: 'utf8', flag: 'w' });
}

/** Removes a file under the root; a file already gone is fine. Folders are refused. */
export async function removeAction(action: RemoveAction, context: ExecutionContext): Promise<void> {
  const target = underRoot(action.path, context);
  try {
    await rm(target, { force: true, recursive: false });
  } catch (error) {
    throw fileFailure(`cannot remove ${action.path}`, error, context);
  }
}

/** Points a path under the root at a target (temp link + rename, replacing what was there). */
export async function symlinkAction(action: SymlinkAction, context: ExecutionContext): Promise<void> {
  const target = underRoot(action.path, context);
  try {
    await mkdir(dirname(target), { recursive: true, mode: FOLDER_MODE });
    const temp = tempPathBeside(target);
    try {
      await symlink(action.target, temp);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  } catch (error) {
    throw fileFailure(`cannot link ${action.path} to ${action.target}`, error, context);
  }
}

function underRoot(hostPath: string, context: ExecutionContext): string {
  try {
    return resolveUnderRoot(context.root, hostPath);
  } catch (error) {
    throw new StepFailure('INTERNAL', (error as Error).message, { cause: error });
  }
}

function tempPathBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.kumi-${randomBytes(6).toString('hex')}.tmp`);
}

function fileFailure(what: string, error: unknown, context: ExecutionContext): StepFailure {
  const reason = error instanceof Error ? error.message : String(error);
  return new StepFailure('FILE_FAILED', context.redact(`${what}: ${reason}`), { cause: error });
}
