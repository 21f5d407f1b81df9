import { join } from 'node:path';
import { build } from 'esbuild';
import type { SeaBundle } from '../../agent/package/build-sea-binaries';

/** The file the npm package runs (its bin, bin/kumi.mjs, loads it when there is no source). */
export const PACKAGE_BUNDLE = 'dist/kumi.cjs';

/**
 * Bundles `kumi` (apps/coordinator/src/main.ts) with every npm package and workspace
 * library into one self-contained CommonJS file: the same file goes into the npm package
 * and into the single executables, which can only `require` Node's built-in modules.
 * Commands import their work lazily (`await import(...)`); esbuild keeps those modules
 * behind init functions, so `kumi --version` evaluates little more than commander.
 * Identifiers are kept so that stack traces still name functions.
 */
export async function bundleKumi(repoRoot: string, outfile: string): Promise<SeaBundle> {
  const result = await build({
    entryPoints: [join(repoRoot, 'apps/coordinator/src/main.ts')],
    // Module names in the bundle are relative to this: the same bytes from any cwd.
    absWorkingDir: repoRoot,
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'bundle',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    // A single executable has no dynamic import(): esbuild turns `await import('node:…')`
    // of built-ins (left external) into require() calls.
    supported: { 'dynamic-import': false },
    // Same shim as tools/build/bundle.mjs: ESM code reading import.meta.url gets the
    // bundle's own URL.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  return { main: outfile, assets: {}, warnings: result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`) };
}
