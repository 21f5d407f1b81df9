import { join } from 'node:path';
import type { SeaBundle } from '../../agent/package/build-sea-binaries';
import { bundleSeaScript } from '../../agent/package/bundle-sea-script';

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
  // A single executable has no dynamic import(): esbuild turns `await import('node:…')` of
  // built-ins (left external) into require() calls.
  const warnings = await bundleSeaScript(repoRoot, join(repoRoot, 'apps/coordinator/src/main.ts'), outfile, { supported: { 'dynamic-import': false } });
  return { main: outfile, assets: {}, warnings };
}
