#!/usr/bin/env node
// Bundles one TypeScript entry point into one ESM file with esbuild.
// usage: bundle.mjs ENTRY OUTFILE [--all]   (--all also inlines npm packages, for apps)
import { build } from 'esbuild';

const [entry, outfile, ...flags] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: bundle.mjs ENTRY OUTFILE [--all]');
  process.exit(2);
}
const all = flags.includes('--all');
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: all ? 'cjs' : 'esm',
  packages: all ? 'bundle' : 'external',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  define: all ? { 'import.meta.url': 'importMetaUrl' } : {},
  banner: all ? { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' } : {},
});
