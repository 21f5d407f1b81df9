import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Reads of the host's files under a root folder ("/" on a real host); a missing file is no error. */
export interface FactFiles {
  /** The file's text, or undefined when it cannot be read. */
  read(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** The folder's entries, or [] when it cannot be read. */
  list(path: string): Promise<string[]>;
}

/** FactFiles that resolve every path under `root`. */
export function factFilesUnder(root: string): FactFiles {
  return {
    read: (path) => readFile(join(root, path), 'utf8').catch(() => undefined),
    exists: (path) => stat(join(root, path)).then(
      () => true,
      () => false,
    ),
    list: (path) => readdir(join(root, path)).catch(() => []),
  };
}
