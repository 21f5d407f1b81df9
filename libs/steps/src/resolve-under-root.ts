import { isAbsolute, normalize, resolve } from 'node:path';

/**
 * Maps an absolute host path onto the folder `root` ("/" on a real host). Throws for a
 * relative path or one with a ".." segment, so a path can never leave the root.
 */
export function resolveUnderRoot(root: string, hostPath: string): string {
  return underRoot(resolve(root))(hostPath);
}

/**
 * resolveUnderRoot for one root, resolved once: a check maps a dozen paths onto the same
 * root, and on an agent running a fleet's no-op steps path.resolve per path was a tenth of
 * the step's CPU. `resolvedRoot` must be absolute and normalized (path.resolve's result).
 */
export function underRoot(resolvedRoot: string): (hostPath: string) => string {
  const prefix = resolvedRoot === '/' ? '' : resolvedRoot;
  return (hostPath) => {
    if (!isAbsolute(hostPath)) {
      throw new Error(`host path "${hostPath}" is not absolute: steps must name host paths from "/"`);
    }
    if (hostPath.split('/').includes('..')) {
      throw new Error(`host path "${hostPath}" contains "..": steps must name host paths directly`);
    }
    // normalize keeps a trailing slash; path.resolve (what this replaces) does not.
    const path = normalize(hostPath);
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (trimmed === '/') return resolvedRoot;
    return `${prefix}${trimmed}`;
  };
}
