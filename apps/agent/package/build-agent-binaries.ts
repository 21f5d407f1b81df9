import { join } from 'node:path';
import { bundleAgent } from './bundle-agent';
import { buildSeaBinaries, nodeRuntimeCacheDir, type SeaBinary, type SeaBuildResult } from './build-sea-binaries';

export { nodeRuntimeCacheDir };

/** Where the build reads and writes. */
export interface BuildAgentOptions {
  /** The repository root (holds package.json and apps/agent). */
  repoRoot: string;
  /** Output folder; default <repoRoot>/dist. */
  outDir?: string;
  /** Download cache for the Node runtimes; default <repoRoot>/node_modules/.cache/kumi-node. */
  cacheDir?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

/** One shipped agent file. */
export type AgentBinary = SeaBinary;

/** What an agent build produced. */
export type AgentBuildResult = SeaBuildResult;

/**
 * Builds dist/kumi-agent-linux-{x64,arm64} and their lines in dist/SHA256SUMS (see
 * buildSeaBinaries): the main script and one asset per agent part (bundle-agent.ts).
 */
export function buildAgentBinaries(options: BuildAgentOptions): Promise<AgentBuildResult> {
  return buildSeaBinaries({
    name: 'kumi-agent',
    bundle: (workDir) => bundleAgent(options.repoRoot, workDir),
    outDir: options.outDir ?? join(options.repoRoot, 'dist'),
    cacheDir: options.cacheDir ?? nodeRuntimeCacheDir(options.repoRoot),
    log: options.log ?? (() => {}),
  });
}
