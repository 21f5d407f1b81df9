import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { bundleAgent, type AgentBundle } from './bundle-agent';
import { formatSha256Sums } from './checksums';
import { ELF_MACHINE, readElfHeader } from './elf-header';
import { digestFile, fetchNodeRuntime } from './fetch-node-runtime';
import { injectSeaBlob } from './inject-sea-blob';
import { makeSeaBlob } from './make-sea-blob';
import { NODE_RUNTIME_PACKAGES, TARGET_ARCHES, agentFileName, type TargetArch } from './node-runtimes';
import { stripBinary } from './strip-binary';

/** Bump when the recipe changes in a way the inputs below do not show. */
const RECIPE_VERSION = 2;

/** Where the pinned Node runtimes are cached, under the repository root. */
export function nodeRuntimeCacheDir(repoRoot: string): string {
  return join(repoRoot, 'node_modules', '.cache', 'kumi-node');
}

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

/** One shipped file. */
export interface AgentBinary {
  arch: TargetArch;
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** What a build produced. */
export interface AgentBuildResult {
  binaries: AgentBinary[];
  sumsPath: string;
  /** True when the files in outDir were already built from the same inputs. */
  upToDate: boolean;
}

/** Stamp beside the outputs: the inputs they were built from and their digests. */
interface BuildStamp {
  inputs: string;
  binaries: { arch: TargetArch; sha256: string; sizeBytes: number }[];
}

/**
 * Builds dist/kumi-agent-linux-{x64,arm64} and dist/SHA256SUMS: the agent bundled into
 * one script, made into a SEA blob, injected into the pinned Node binary of each
 * architecture (stripped first). When the bundle and the pinned runtimes are the same as
 * for the files already in outDir, and those files are intact, nothing is rebuilt.
 */
export async function buildAgentBinaries(options: BuildAgentOptions): Promise<AgentBuildResult> {
  const outDir = options.outDir ?? join(options.repoRoot, 'dist');
  const cacheDir = options.cacheDir ?? nodeRuntimeCacheDir(options.repoRoot);
  const log = options.log ?? (() => {});
  const stampPath = join(outDir, '.kumi-agent-build.json');
  const sumsPath = join(outDir, 'SHA256SUMS');
  await mkdir(outDir, { recursive: true });
  const workDir = await mkdtemp(join(outDir, '.kumi-agent-build-'));
  try {
    const bundle = await bundleAgent(options.repoRoot, workDir);
    for (const warning of bundle.warnings) log(`bundle warning: ${warning}`);
    const inputs = await inputsDigest(bundle);
    const previous = await intactPreviousBuild(stampPath, inputs, sumsPath, outDir);
    if (previous) {
      log(`kumi-agent binaries in ${outDir} are up to date`);
      return { binaries: previous, sumsPath, upToDate: true };
    }
    const blobPath = await makeSeaBlob(bundle.main, workDir, bundle.assets);
    const binaries: AgentBinary[] = [];
    for (const arch of TARGET_ARCHES) {
      binaries.push(await buildOne(arch, blobPath, outDir, workDir, cacheDir, log));
    }
    await writeFile(sumsPath, formatSha256Sums(binaries));
    const stamp: BuildStamp = { inputs, binaries: binaries.map(({ arch, sha256, sizeBytes }) => ({ arch, sha256, sizeBytes })) };
    await writeFile(stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
    return { binaries, sumsPath, upToDate: false };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function buildOne(arch: TargetArch, blobPath: string, outDir: string, workDir: string, cacheDir: string, log: (line: string) => void): Promise<AgentBinary> {
  const runtime = NODE_RUNTIME_PACKAGES[arch];
  const node = await fetchNodeRuntime(runtime, cacheDir);
  const staged = join(workDir, agentFileName(arch));
  await copyFile(node, staged);
  const stripTool = await stripBinary(staged, arch);
  await injectSeaBlob(staged, blobPath);
  const header = await readElfHeader(staged);
  if (header.machine !== ELF_MACHINE[arch]) {
    throw new Error(`${agentFileName(arch)} came out with ELF machine 0x${header.machine.toString(16)}, expected 0x${ELF_MACHINE[arch].toString(16)}: ${runtime.name} holds the wrong binary`);
  }
  const path = join(outDir, agentFileName(arch));
  await rename(staged, path);
  const binary: AgentBinary = { arch, path, sha256: await digestFile(path, 'sha256', 'hex'), sizeBytes: (await stat(path)).size };
  log(`${agentFileName(arch)}: ${(binary.sizeBytes / 1e6).toFixed(1)} MB (node ${runtime.version}, stripped with ${stripTool})`);
  return binary;
}

/** Everything the outputs depend on, as one digest. */
async function inputsDigest(bundle: AgentBundle): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe: RECIPE_VERSION, node: process.version, runtimes: NODE_RUNTIME_PACKAGES, assets: Object.keys(bundle.assets).sort() }));
  for (const path of [bundle.main, ...Object.keys(bundle.assets).sort().map((key) => bundle.assets[key] as string)]) hash.update(await readFile(path));
  return hash.digest('hex');
}

/** The previous build's binaries if they came from the same inputs and are unchanged. */
async function intactPreviousBuild(stampPath: string, inputs: string, sumsPath: string, outDir: string): Promise<AgentBinary[] | undefined> {
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(await readFile(stampPath, 'utf8')) as BuildStamp;
    await stat(sumsPath);
  } catch {
    return undefined;
  }
  if (stamp.inputs !== inputs) return undefined;
  const binaries = stamp.binaries.map((binary) => ({ ...binary, path: join(outDir, agentFileName(binary.arch)) }));
  for (const binary of binaries) {
    try {
      if ((await digestFile(binary.path, 'sha256', 'hex')) !== binary.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  return binaries;
}
