import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Bundles } from './test-cluster';

/** The monorepo root (bundle.mjs resolves entries from there). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

/** Bundles `kumi` and `kumi-agent` once into `outDir` (esbuild, ~1 s each). */
export async function buildBundles(outDir: string): Promise<Bundles> {
  const bundles: Bundles = { kumi: join(outDir, 'kumi.cjs'), agent: join(outDir, 'kumi-agent.cjs') };
  const bundle = (entry: string, out: string) =>
    promisify(execFile)(process.execPath, ['tools/build/bundle.mjs', entry, out, '--all'], { cwd: REPO_ROOT, timeout: 60_000 });
  await Promise.all([bundle('apps/coordinator/src/main.ts', bundles.kumi), bundle('apps/agent/src/main.ts', bundles.agent)]);
  return bundles;
}
