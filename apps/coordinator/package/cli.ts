// `nx run coordinator:package`: builds dist/kumi-linux-{x64,arm64} and their SHA256SUMS lines.
// `tsx package/cli.ts --npm` (the npm prepack script) writes only the package's bundle.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKumiBinaries } from './build-kumi-binaries';
import { bundleKumi, PACKAGE_BUNDLE } from './bundle-kumi';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

try {
  if (process.argv.includes('--npm')) {
    const outfile = join(repoRoot, 'apps/coordinator', PACKAGE_BUNDLE);
    const bundle = await bundleKumi(repoRoot, outfile);
    for (const warning of bundle.warnings) console.error(`bundle warning: ${warning}`);
    console.error(`kumi bundle: ${outfile}`);
  } else {
    const result = await buildKumiBinaries({ repoRoot, log: (line) => console.log(line) });
    for (const binary of result.binaries) console.log(`${binary.sha256}  ${binary.path}`);
    console.log(`checksums: ${result.sumsPath}`);
  }
} catch (error) {
  console.error(`kumi package failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
