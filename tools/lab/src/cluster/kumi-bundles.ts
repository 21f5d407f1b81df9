import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The monorepo root (tools/lab/src/cluster → ../../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The `kumi` CLI and `kumi-agent`, each one self-contained CJS file run with node. */
export interface KumiBundles {
  kumi: string;
  agent: string;
}

/**
 * Where the bundles are cached. It must be visible inside the lab hosts at the same path, so
 * neither under a host overlay (/etc /usr /opt /var/lib /var/log /run) nor under /tmp (a
 * private tmpfs in every host: a checkout in /tmp would hide the agent from its host).
 * /var/tmp is shared with the hosts, like the lab's own state; one folder per checkout.
 */
export const BUNDLE_CACHE_DIR = path.join('/var/tmp/kumi-lab-bundles', createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12));

/** Sources a bundle is made of; a change in any of them rebuilds both bundles. */
const SOURCE_DIRS = ['apps/agent/src', 'apps/coordinator/src', 'libs/steps/src', 'libs/trust/src', 'libs/proto/src'];

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(full));
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

async function bundle(entry: string, out: string): Promise<void> {
  // Built in a private folder and renamed (with its source map, same base name), so a
  // concurrent reader never sees half a file.
  const buildDir = path.join(path.dirname(out), `build-${process.pid}-${path.basename(out, '.cjs')}`);
  const built = path.join(buildDir, path.basename(out));
  mkdirSync(buildDir, { recursive: true });
  try {
    await promisify(execFile)(process.execPath, ['tools/build/bundle.mjs', entry, built, '--all'], { cwd: REPO_ROOT, timeout: 120_000 });
    renameSync(`${built}.map`, `${out}.map`);
    renameSync(built, out);
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}

/**
 * Bundles the kumi CLI and the agent with tools/build/bundle.mjs (--all), once: the cached
 * files are reused while they are newer than every source file they are built from.
 */
export async function ensureKumiBundles(cacheDir: string = BUNDLE_CACHE_DIR): Promise<KumiBundles & { rebuilt: boolean }> {
  mkdirSync(cacheDir, { recursive: true });
  const bundles: KumiBundles = { kumi: path.join(cacheDir, 'kumi.cjs'), agent: path.join(cacheDir, 'kumi-agent.cjs') };
  const sources = Math.max(...SOURCE_DIRS.map((dir) => newestMtimeMs(path.join(REPO_ROOT, dir))));
  const stale = [bundles.kumi, bundles.agent].some((file) => mtimeMs(file) <= sources);
  if (stale) {
    await Promise.all([bundle('apps/coordinator/src/main.ts', bundles.kumi), bundle('apps/agent/src/main.ts', bundles.agent)]);
  }
  return { ...bundles, rebuilt: stale };
}
