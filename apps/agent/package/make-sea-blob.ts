import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NODE_RUNTIME_VERSION } from './node-runtimes';

/**
 * Turns the bundle into a SEA preparation blob with the Node that runs this build
 * (`node --experimental-sea-config`). Neither a V8 snapshot nor a code cache is put in:
 * both are specific to the CPU architecture of the Node that makes them, and the same
 * blob goes into the x64 and the arm64 executables. Without them the blob is plain
 * source text, valid for any architecture of the same Node version. `assets` (key → file)
 * are stored beside the main script and read with node:sea's getAsset.
 */
export async function makeSeaBlob(bundlePath: string, workDir: string, assets: Record<string, string> = {}): Promise<string> {
  assertBuildNode();
  const blobPath = join(workDir, 'kumi-agent.blob');
  const configPath = join(workDir, 'sea-config.json');
  const config = {
    main: bundlePath,
    output: blobPath,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    assets,
  };
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  await execa(process.execPath, ['--experimental-sea-config', configPath], { cwd: workDir });
  return blobPath;
}

/** Throws unless this build runs on the Node version that is shipped inside the agent. */
export function assertBuildNode(version: string = process.version): void {
  if (version !== `v${NODE_RUNTIME_VERSION}`) {
    throw new Error(
      `the agent package must be built with Node ${NODE_RUNTIME_VERSION} (the runtime inside kumi-agent), but this is Node ${version.replace(/^v/, '')}: ` +
        'a SEA blob only runs in the Node version that made it; install Node ' +
        `${NODE_RUNTIME_VERSION} or change NODE_RUNTIME_VERSION and the pinned integrity strings in apps/agent/package/node-runtimes.ts together`,
    );
  }
}
