import { join } from 'node:path';
import { partAssetKey, type AgentPart } from '../src/runtime/agent-parts';
import type { SeaBundle } from './build-sea-binaries';
import { bundleSeaScript } from './bundle-sea-script';

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

function bundleOne(repoRoot: string, entry: string, outfile: string): Promise<string[]> {
  return bundleSeaScript(repoRoot, entry, outfile, { define: { KUMI_AGENT_PARTS_ARE_ASSETS: 'true' } });
}
