import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NODE_RUNTIME_VERSION } from './node-runtimes';

/**
 * Turns the bundle into a SEA preparation blob with the Node that runs this build
 * (`node --experimental-sea-config`). No V8 snapshot is put in, and a code cache only
 * with `useCodeCache`: both are specific to the CPU architecture of the Node that makes
 * them. Without them the blob is plain source text, valid for any architecture of the
 * same Node version; with a code cache it is only for the build machine's architecture
 * (and saves V8 parsing the main script at every start). `assets` (key → file) are
 * stored beside the main script and read with node:sea's getAsset.
 */
export async function makeSeaBlob(bundlePath: string, workDir: string, assets: Record<string, string> = {}, useCodeCache = false): Promise<string> {
  assertBuildNode();
  const blobPath = join(workDir, useCodeCache ? `sea-${process.arch}.blob` : 'sea.blob');
  const configPath = join(workDir, useCodeCache ? `sea-config-${process.arch}.json` : 'sea-config.json');
  const config = {
    main: bundlePath,
    output: blobPath,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache,
    assets,
  };
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  await execa(process.execPath, ['--experimental-sea-config', configPath], { cwd: workDir });
  return blobPath;
}

/** Throws unless this build runs on the Node version that is shipped inside the single executables. */
export function assertBuildNode(version: string = process.version): void {
  if (version !== `v${NODE_RUNTIME_VERSION}`) {
    throw new Error(
      `single executables must be built with Node ${NODE_RUNTIME_VERSION} (the runtime inside kumi-agent and kumi), but this is Node ${version.replace(/^v/, '')}: ` +
        'a SEA blob only runs in the Node version that made it; install Node ' +
        `${NODE_RUNTIME_VERSION} or change NODE_RUNTIME_VERSION and the pinned integrity strings in apps/agent/package/node-runtimes.ts together`,
    );
  }
}
