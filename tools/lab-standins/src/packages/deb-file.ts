import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PackageError } from './package-install';

/**
 * Package and Version of a .deb given to `apt-get install /path/x.deb`, from its control file
 * (Debian's real dpkg-deb -f). apt refuses a path that is no readable .deb with
 * "E: Unsupported file ... given on commandline" (apt-private/private-install.cc, apt 2.6).
 */
export function debFileFields(file: string): { name: string; version: string } {
  const unsupported = new PackageError(`E: Unsupported file ${file} given on commandline`, 100);
  if (!file.endsWith('.deb') || !existsSync(file)) throw unsupported;
  const result = spawnSync('dpkg-deb', ['-f', file, 'Package', 'Version'], { encoding: 'utf8' });
  const fields = Object.fromEntries(result.stdout.split('\n').map((line) => line.split(': ')).filter((kv) => kv.length === 2)) as Record<string, string>;
  if (result.status !== 0 || !fields['Package'] || !fields['Version']) throw unsupported;
  return { name: fields['Package'], version: fields['Version'] };
}
