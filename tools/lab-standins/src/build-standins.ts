import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordContainerdIo } from './packages/containerd-io-2';
import { recordKubectlMode } from './packages/kubectl-client';

/** tools/lab-standins/src: one directory per stand-in, entry points under DIR/bin/COMMAND.ts. */
export const STANDINS_SRC = path.dirname(fileURLToPath(import.meta.url));

/** Every stand-in command and its entry point. */
export function standinEntries(): Array<{ command: string; entry: string }> {
  const entries: Array<{ command: string; entry: string }> = [];
  for (const dir of readdirSync(STANDINS_SRC)) {
    const bin = path.join(STANDINS_SRC, dir, 'bin');
    if (!existsSync(bin)) continue;
    for (const file of readdirSync(bin)) {
      if (file.endsWith('.ts') && !file.endsWith('.test.ts')) entries.push({ command: file.slice(0, -3), entry: path.join(bin, file) });
    }
  }
  return entries;
}

/**
 * Bundles every stand-in into one executable CJS file per command (binDir/COMMAND), copies
 * package payloads (standins/DIR/package/PKG) to packagesDir/PKG and records which kubectl
 * the lab's kubectl package installs (KUMI_LAB_KUBECTL, see packages/kubectl-client.ts) and
 * which containerd.io its Docker repository serves (KUMI_LAB_CONTAINERD_IO, packages/containerd-io-2.ts).
 */
export async function buildStandins(binDir: string, packagesDir: string): Promise<string[]> {
  const entries = standinEntries();
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.command)) throw new Error(`two stand-ins define the command ${e.command}`);
    seen.add(e.command);
  }
  const outdir = `${binDir}.build`;
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(entries.map((e) => [e.command, e.entry])),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: '#!/usr/bin/env node\nconst importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  for (const e of entries) {
    const file = path.join(outdir, `${e.command}.js`);
    renameSync(file, path.join(outdir, e.command));
    chmodSync(path.join(outdir, e.command), 0o755);
  }
  rmSync(binDir, { recursive: true, force: true });
  renameSync(outdir, binDir);

  rmSync(packagesDir, { recursive: true, force: true });
  mkdirSync(packagesDir, { recursive: true });
  for (const dir of readdirSync(STANDINS_SRC)) {
    const payloads = path.join(STANDINS_SRC, dir, 'package');
    if (!existsSync(payloads)) continue;
    for (const pkg of readdirSync(payloads)) cpSync(path.join(payloads, pkg), path.join(packagesDir, pkg), { recursive: true });
  }
  recordKubectlMode(packagesDir, process.env.KUMI_LAB_KUBECTL);
  recordContainerdIo(packagesDir, process.env.KUMI_LAB_CONTAINERD_IO);
  return entries.map((e) => e.command);
}
