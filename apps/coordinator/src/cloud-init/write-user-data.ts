import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../state/secure-files';
import type { HostUserData } from './generate';

/**
 * Writes <dir>/<host>.user-data (0600: each holds a bootstrap token); returns the paths.
 * A new dir is created 0700; an existing one keeps its mode, since it is the user's folder.
 */
export async function writeUserDataFiles(dir: string, hosts: readonly HostUserData[]): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths: string[] = [];
  for (const host of hosts) {
    const path = join(dir, `${host.hostName}.user-data`);
    await writePrivateFile(path, host.userData);
    paths.push(path);
  }
  return paths;
}
