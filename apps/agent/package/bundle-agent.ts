import { build } from 'esbuild';

/** Options for bundling the agent into the one script a SEA blob holds. */
export interface BundleAgentOptions {
  /** The agent's TypeScript entry point. */
  entry: string;
  /** Where the CommonJS bundle is written. */
  outfile: string;
}

/**
 * Bundles the agent and every npm package it uses into one CommonJS file. A single
 * executable can only `require` Node's built-in modules, so nothing may stay external;
 * the proto descriptor and the repo version are JSON imports and end up inlined.
 * Identifiers are kept (only whitespace and syntax are minified) so that stack traces in
 * the journal still name functions.
 */
export async function bundleAgent(options: BundleAgentOptions): Promise<string[]> {
  // esbuild rejects on errors; warnings (e.g. an optional require it cannot resolve) are
  // returned so that the build can show them.
  const result = await build({
    entryPoints: [options.entry],
    outfile: options.outfile,
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
    // Same shim as tools/build/bundle.mjs: ESM code that reads import.meta.url gets the
    // bundle's own URL (in a single executable, __filename is the executable itself).
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  return result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`);
}
