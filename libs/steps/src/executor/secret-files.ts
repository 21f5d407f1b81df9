import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Secret } from '../secret';

const PLACEHOLDER = /\{\{file:([A-Za-z0-9_.-]+)\}\}/g;

/** Secret files of one command, living in a private folder until `remove`. */
export interface SecretFiles {
  /** argv with every `{{file:NAME}}` replaced by the path of NAME's file. */
  argv: string[];
  remove(): Promise<void>;
}

/**
 * Writes each value to a fresh 0600 file in a new 0700 folder and substitutes the
 * placeholders in argv. Names used in argv but not given are a step bug and throw.
 */
export async function writeSecretFiles(
  argv: readonly string[],
  files: Readonly<Record<string, string | Secret>>,
): Promise<SecretFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'kumi-secret-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const paths = new Map<string, string>();
    for (const [name, value] of Object.entries(files)) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) {
        throw new Error(`secret file name "${name}" must be letters, digits, "_", "-" or "."`);
      }
      const path = join(dir, name);
      const content = typeof value === 'string' ? value : value.reveal();
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      paths.set(name, path);
    }
    const substituted = argv.map((arg) =>
      arg.replace(PLACEHOLDER, (_match, name: string) => {
        const path = paths.get(name);
        if (path === undefined) throw new Error(`argv names {{file:${name}}} but the action has no secret file "${name}"`);
        return path;
      }),
    );
    return { argv: substituted, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
