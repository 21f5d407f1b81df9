import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../state/secure-files';
import type { HostUserData } from './generate';

/** Writes <dir>/<host>.user-data (0600: each holds a bootstrap token); returns the paths. */
export async function writeUserDataFiles(dir: string, hosts: readonly HostUserData[]): Promise<string[]> {
  await ensurePrivateDir(dir);
  const paths: string[] = [];
  for (const host of hosts) {
    const path = join(dir, `${host.hostName}.user-data`);
    await writePrivateFile(path, host.userData);
    paths.push(path);
  }
  return paths;
}
