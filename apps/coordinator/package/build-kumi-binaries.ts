import { join } from 'node:path';
import { buildSeaBinaries, nodeRuntimeCacheDir, type SeaBuildResult } from '../../agent/package/build-sea-binaries';
import { bundleKumi } from './bundle-kumi';

/**
 * Builds dist/kumi-linux-{x64,arm64} and their lines in dist/SHA256SUMS with the agent's
 * single-executable recipe (apps/agent/package/build-sea-binaries.ts). The file for the
 * build machine's architecture carries a V8 code cache; the other one starts slower.
 */
export function buildKumiBinaries(options: { repoRoot: string; outDir?: string; log?: (line: string) => void }): Promise<SeaBuildResult> {
  return buildSeaBinaries({
    name: 'kumi',
    bundle: (workDir) => bundleKumi(options.repoRoot, join(workDir, 'kumi.cjs')),
    outDir: options.outDir ?? join(options.repoRoot, 'dist'),
    cacheDir: nodeRuntimeCacheDir(options.repoRoot),
    log: options.log ?? (() => {}),
    // kumi's main script is large (every command); without a code cache V8 parses ~2 MB
    // at every start, about half of the start-up time of `kumi --version`.
    codeCache: true,
  });
}
