import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { withFileLock } from '../../coordinator/src/state/file-lock';
import { mergeSha256Sums } from './checksums';
import { ELF_MACHINE, readElfHeader } from './elf-header';
import { digestFile, fetchNodeRuntime } from './fetch-node-runtime';
import { injectSeaBlob } from './inject-sea-blob';
import { makeSeaBlob } from './make-sea-blob';
import { NODE_RUNTIME_PACKAGES, TARGET_ARCHES, type TargetArch } from './node-runtimes';
import { stripBinary } from './strip-binary';

/** Bump when the recipe changes in a way the inputs below do not show. */
const RECIPE_VERSION = 2;

/** Where the pinned Node runtimes are cached, under the repository root. */
export function nodeRuntimeCacheDir(repoRoot: string): string {
  return join(repoRoot, 'node_modules', '.cache', 'kumi-node');
}

/** What a single executable is made from: a main script and named assets (see node:sea). */
export interface SeaBundle {
  /** The main script (self-contained CommonJS). */
  main: string;
  /** Asset key → file. */
  assets: Record<string, string>;
  /** Bundler warnings, for the build log. */
  warnings: string[];
}

/** One program to ship as single executables, e.g. kumi-agent or kumi. */
export interface SeaBuildOptions {
  /** File name stem: the files are <name>-linux-x64 and <name>-linux-arm64. */
  name: string;
  /** Bundles the program into workDir. */
  bundle(workDir: string): Promise<SeaBundle>;
  /** Output folder (also holds SHA256SUMS, shared with other programs). */
  outDir: string;
  /** Download cache of the pinned Node runtimes. */
  cacheDir: string;
  /** Progress lines. */
  log: (line: string) => void;
  /**
   * Put a V8 code cache into the file for the build machine's architecture (faster
   * start-up of a large main script); the other architecture gets the plain blob.
   */
  codeCache?: boolean;
}

/** One shipped file. */
export interface SeaBinary {
  arch: TargetArch;
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** What a build produced. */
export interface SeaBuildResult {
  binaries: SeaBinary[];
  sumsPath: string;
  /** True when the files in outDir were already built from the same inputs. */
  upToDate: boolean;
}

/** Stamp beside the outputs: the inputs they were built from and their digests. */
interface BuildStamp {
  inputs: string;
  binaries: { arch: TargetArch; sha256: string; sizeBytes: number }[];
}

/** The shipped file name of program `name` for arch, e.g. "kumi-linux-arm64". */
export function seaFileName(name: string, arch: TargetArch): string {
  return `${name}-linux-${arch}`;
}

/**
 * Builds <outDir>/<name>-linux-{x64,arm64}: the program bundled into one script, made
 * into a SEA blob, injected into the pinned Node binary of each architecture (stripped
 * first). Their lines in <outDir>/SHA256SUMS are replaced; other programs' lines stay.
 * When the bundle and the pinned runtimes are the same as for the files already in
 * outDir, and those files are intact, nothing is rebuilt.
 */
export async function buildSeaBinaries(options: SeaBuildOptions): Promise<SeaBuildResult> {
  const { name, outDir, cacheDir, log } = options;
  const stampPath = join(outDir, `.${name}-build.json`);
  const sumsPath = join(outDir, 'SHA256SUMS');
  await mkdir(outDir, { recursive: true });
  const workDir = await mkdtemp(join(outDir, `.${name}-build-`));
  try {
    const bundle = await options.bundle(workDir);
    for (const warning of bundle.warnings) log(`bundle warning: ${warning}`);
    const inputs = await inputsDigest(bundle, options.codeCache === true);
    let binaries = await intactPreviousBuild(name, stampPath, inputs, outDir);
    const upToDate = binaries !== undefined;
    if (binaries) {
      log(`${name} binaries in ${outDir} are up to date`);
    } else {
      const plainBlob = await makeSeaBlob(bundle.main, workDir, bundle.assets);
      const cachedBlob = options.codeCache ? await makeSeaBlob(bundle.main, workDir, bundle.assets, true) : undefined;
      binaries = [];
      for (const arch of TARGET_ARCHES) {
        const blobPath = cachedBlob && arch === process.arch ? cachedBlob : plainBlob;
        binaries.push(await buildOne(name, arch, blobPath, outDir, workDir, cacheDir, log));
      }
      const stamp: BuildStamp = { inputs, binaries: binaries.map(({ arch, sha256, sizeBytes }) => ({ arch, sha256, sizeBytes })) };
      await writeFile(stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
    }
    // Rewritten even when up to date: another program's build may have written the file.
    // Locked: the agent's and kumi's builds (e.g. their tests) may merge at the same time.
    const built = binaries;
    await withFileLock(`${sumsPath}.lock`, async () => writeFile(sumsPath, mergeSha256Sums(await readOptional(sumsPath), built)));
    return { binaries, sumsPath, upToDate };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function buildOne(name: string, arch: TargetArch, blobPath: string, outDir: string, workDir: string, cacheDir: string, log: (line: string) => void): Promise<SeaBinary> {
  const runtime = NODE_RUNTIME_PACKAGES[arch];
  const fileName = seaFileName(name, arch);
  const node = await fetchNodeRuntime(runtime, cacheDir);
  const staged = join(workDir, fileName);
  await copyFile(node, staged);
  const stripTool = await stripBinary(staged, arch);
  await injectSeaBlob(staged, blobPath);
  const header = await readElfHeader(staged);
  if (header.machine !== ELF_MACHINE[arch]) {
    throw new Error(`${fileName} came out with ELF machine 0x${header.machine.toString(16)}, expected 0x${ELF_MACHINE[arch].toString(16)}: ${runtime.name} holds the wrong binary`);
  }
  const path = join(outDir, fileName);
  await rename(staged, path);
  const binary: SeaBinary = { arch, path, sha256: await digestFile(path, 'sha256', 'hex'), sizeBytes: (await stat(path)).size };
  log(`${fileName}: ${(binary.sizeBytes / 1e6).toFixed(1)} MB (node ${runtime.version}, stripped with ${stripTool})`);
  return binary;
}

/** Everything the outputs depend on, as one digest. */
async function inputsDigest(bundle: SeaBundle, codeCache: boolean): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe: RECIPE_VERSION, node: process.version, arch: codeCache ? process.arch : 'any', runtimes: NODE_RUNTIME_PACKAGES, assets: Object.keys(bundle.assets).sort() }));
  for (const path of [bundle.main, ...Object.keys(bundle.assets).sort().map((key) => bundle.assets[key] as string)]) hash.update(await readFile(path));
  return hash.digest('hex');
}

/** The previous build's binaries if they came from the same inputs and are unchanged. */
async function intactPreviousBuild(name: string, stampPath: string, inputs: string, outDir: string): Promise<SeaBinary[] | undefined> {
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(await readFile(stampPath, 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
  if (stamp.inputs !== inputs) return undefined;
  const binaries = stamp.binaries.map((binary) => ({ ...binary, path: join(outDir, seaFileName(name, binary.arch)) }));
  for (const binary of binaries) {
    try {
      if ((await digestFile(binary.path, 'sha256', 'hex')) !== binary.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  return binaries;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}
