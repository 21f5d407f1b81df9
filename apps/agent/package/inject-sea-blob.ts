import { createRequire } from 'node:module';
import { execa } from 'execa';

/** The fuse string Node looks for to know a SEA blob was injected (same for every Node). */
export const SEA_SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The ELF note section name Node reads the blob from. */
const SEA_RESOURCE_NAME = 'NODE_SEA_BLOB';

/**
 * LIEF (inside postject) warns about every note section it renames while it rewrites an
 * ELF; Node's own SEA documentation says these warnings are harmless. They are dropped
 * so that a real problem is not buried under a hundred of them.
 */
const HARMLESS_LIEF_WARNING = /^warning: Can't find string offset for section name '\.note[^']*'$/;

/** Injects the blob into a copy of a Node binary in place, with postject's CLI. */
export async function injectSeaBlob(executable: string, blobPath: string): Promise<void> {
  const postjectCli = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  const result = await execa(
    process.execPath,
    [postjectCli, executable, SEA_RESOURCE_NAME, blobPath, '--sentinel-fuse', SEA_SENTINEL_FUSE],
    { reject: false, all: true, env: { NO_COLOR: '1' } },
  );
  const noise = (result.all ?? '').split('\n').filter((line) => line.trim() !== '' && !HARMLESS_LIEF_WARNING.test(line.trim()));
  // postject's CLI prints its errors on stdout and exits 1.
  if (result.exitCode !== 0 || noise.some((line) => line.includes('Error'))) {
    throw new Error(`postject could not inject the SEA blob into ${executable}:\n${noise.join('\n')}`);
  }
}
