// `nx run agent:package`: builds dist/kumi-agent-linux-{x64,arm64} and dist/SHA256SUMS.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAgentBinaries } from './build-agent-binaries';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

try {
  const result = await buildAgentBinaries({ repoRoot, log: (line) => console.log(line) });
  for (const binary of result.binaries) console.log(`${binary.sha256}  ${binary.path}`);
  console.log(`checksums: ${result.sumsPath}`);
} catch (error) {
  console.error(`kumi-agent package failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
