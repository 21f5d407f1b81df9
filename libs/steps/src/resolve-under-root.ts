import { isAbsolute, join, normalize, resolve } from 'node:path';

/**
 * Maps an absolute host path onto the folder `root` ("/" on a real host). Throws for a
 * relative path or one with a ".." segment, so a path can never leave the root.
 */
export function resolveUnderRoot(root: string, hostPath: string): string {
  if (!isAbsolute(hostPath)) {
    throw new Error(`host path "${hostPath}" is not absolute: steps must name host paths from "/"`);
  }
  if (hostPath.split('/').includes('..')) {
    throw new Error(`host path "${hostPath}" contains "..": steps must name host paths directly`);
  }
  return resolve(join(resolve(root), normalize(hostPath)));
}
