import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { NodeRuntimePackage } from './node-runtimes';

/**
 * Returns the path of the Node binary of runtime, extracted from its npm package.
 * The tarball is fetched with `npm pack` (the registry the machine's npm is set up for)
 * into cacheDir once, and checked against the pinned integrity every time it is used:
 * a tarball that does not match is deleted and the build stops.
 */
export async function fetchNodeRuntime(runtime: NodeRuntimePackage, cacheDir: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const tarball = join(cacheDir, `${runtime.name}-${runtime.version}.tgz`);
  if (!(await exists(tarball))) await npmPack(runtime, cacheDir);
  await verifyIntegrity(tarball, runtime);
  return extractBinary(tarball, runtime, cacheDir);
}

async function npmPack(runtime: NodeRuntimePackage, cacheDir: string): Promise<void> {
  const spec = `${runtime.name}@${runtime.version}`;
  try {
    await execa('npm', ['pack', spec, '--pack-destination', cacheDir, '--silent'], { cwd: cacheDir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`cannot fetch ${spec} with npm pack (the npm registry must be reachable once; later builds use ${cacheDir}): ${stderr.trim().split('\n').slice(-3).join(' ')}`, { cause: error });
  }
}

/** Throws (and removes the tarball) unless its digest equals the pinned integrity. */
export async function verifyIntegrity(tarball: string, runtime: Pick<NodeRuntimePackage, 'name' | 'version' | 'integrity'>): Promise<void> {
  const [algorithm, expected] = splitIntegrity(runtime.integrity);
  const actual = await digestFile(tarball, algorithm, 'base64');
  if (actual !== expected) {
    await rm(tarball, { force: true });
    throw new Error(
      `${tarball} does not match the pinned integrity of ${runtime.name}@${runtime.version} ` +
        `(expected ${runtime.integrity}, got ${algorithm}-${actual}); it was deleted: run the build again to fetch it anew, ` +
        'and if it still differs, check which registry npm uses (npm config get registry)',
    );
  }
}

function splitIntegrity(integrity: string): [string, string] {
  const dash = integrity.indexOf('-');
  const algorithm = integrity.slice(0, dash);
  if (dash < 0 || !['sha512', 'sha384', 'sha256'].includes(algorithm)) {
    throw new Error(`unsupported integrity string "${integrity}": use the registry's "sha512-..." form`);
  }
  return [algorithm, integrity.slice(dash + 1)];
}

/** Digest of a file's content, streamed (the runtime tarballs are ~40 MB). */
export async function digestFile(path: string, algorithm: string, encoding: 'hex' | 'base64'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest(encoding);
}

async function extractBinary(tarball: string, runtime: NodeRuntimePackage, cacheDir: string): Promise<string> {
  const target = join(cacheDir, `${runtime.name}-${runtime.version}.node`);
  const scratch = await mkdtemp(join(cacheDir, 'extract-'));
  try {
    await execa('tar', ['-xzf', tarball, '-C', scratch, runtime.binaryPath]);
    await chmod(join(scratch, runtime.binaryPath), 0o755);
    await rename(join(scratch, runtime.binaryPath), target);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
