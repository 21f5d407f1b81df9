import { build, type BuildOptions } from 'esbuild';

/**
 * Bundles one entry point into a self-contained CommonJS script for a Node single
 * executable (the agent's main script and parts, kumi's main script): a SEA can only
 * `require` Node's built-in modules, so every npm package and workspace library is inlined.
 * Identifiers are kept (only whitespace and syntax are minified) so that stack traces still
 * name functions. `extra.define` adds build-time constants; `extra.supported` narrows the
 * syntax esbuild may emit. Returns esbuild's warnings (it rejects on errors).
 */
export async function bundleSeaScript(repoRoot: string, entry: string, outfile: string, extra: Pick<BuildOptions, 'define' | 'supported'> = {}): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    // Module names in the bundle are relative to this: the same bytes (and an up-to-date
    // build) from any cwd, e.g. a package test in apps/* and nx at the root.
    absWorkingDir: repoRoot,
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
    ...(extra.supported ? { supported: extra.supported } : {}),
    // importMetaUrl: same shim as tools/build/bundle.mjs: ESM code that reads
    // import.meta.url gets the bundle's own URL (in a single executable, __filename is the
    // executable itself).
    define: { 'import.meta.url': 'importMetaUrl', ...extra.define },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  return result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`);
}
