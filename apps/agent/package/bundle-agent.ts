import { join } from 'node:path';
import { build } from 'esbuild';
import { partAssetKey, type AgentPart } from '../src/runtime/agent-parts';
import type { SeaBundle } from './build-sea-binaries';

/** The entry point of each part, relative to the repository root (see runtime/agent-parts.ts). */
const PART_ENTRIES: Readonly<Record<AgentPart, string>> = {
  config: 'apps/agent/src/config/config-part.ts',
  steps: 'apps/agent/src/session/step-library.ts',
  csr: 'apps/agent/src/enroll/csr-part.ts',
};

/**
 * What the agent's single executable is made from: the main script (start-up, config,
 * enrollment, the Attach session) and one asset per part.
 */
export type AgentBundle = SeaBundle;

/**
 * Bundles the agent into the scripts a SEA blob holds: the main script and one script per
 * part, each a self-contained CommonJS file. A single executable can only `require`
 * Node's built-in modules, so nothing may stay external; the proto descriptor and the repo
 * version are JSON imports and end up inlined. The main script is built with
 * KUMI_AGENT_PARTS_ARE_ASSETS, which drops the parts' source imports from it. Identifiers
 * are kept (only whitespace and syntax are minified) so that stack traces in the journal
 * still name functions.
 */
export async function bundleAgent(repoRoot: string, outDir: string): Promise<AgentBundle> {
  const main = join(outDir, 'kumi-agent.cjs');
  const warnings = await bundleOne(repoRoot, join(repoRoot, 'apps/agent/src/main.ts'), main);
  const assets: Record<string, string> = {};
  for (const [part, entry] of Object.entries(PART_ENTRIES) as [AgentPart, string][]) {
    const outfile = join(outDir, partAssetKey(part));
    warnings.push(...(await bundleOne(repoRoot, join(repoRoot, entry), outfile)));
    assets[partAssetKey(part)] = outfile;
  }
  return { main, assets, warnings };
}

async function bundleOne(repoRoot: string, entry: string, outfile: string): Promise<string[]> {
  // esbuild rejects on errors; warnings are returned so that the build can show them.
  const result = await build({
    entryPoints: [entry],
    outfile,
    // Module names in the bundle are relative to this: the same bytes (and an up-to-date
    // build) from any cwd, e.g. the package test in apps/agent and nx at the root.
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
    // importMetaUrl: same shim as tools/build/bundle.mjs: ESM code that reads
    // import.meta.url gets the bundle's own URL (in a single executable, __filename is the
    // executable itself).
    define: { 'import.meta.url': 'importMetaUrl', KUMI_AGENT_PARTS_ARE_ASSETS: 'true' },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  return result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`);
}
