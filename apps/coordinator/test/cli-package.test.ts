// The ways `kumi` reaches a user: the npm bin (npx kumi in a clone), the npm package
// (npm pack, installed into an empty prefix) and the single files of `nx run
// coordinator:package`. Slow: ~15 s for npm pack and install; the single files cost
// ~20-40 s when dist/ is stale (they are rebuilt only when the bundle changed, ~2 s otherwise).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELF_MACHINE, readElfHeader } from '../../agent/package/elf-header';
import type { SeaBuildResult } from '../../agent/package/build-sea-binaries';
import { buildKumiBinaries } from '../package/build-kumi-binaries';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SEED = join(REPO_ROOT, 'examples/seed-ha.yaml');
const version = (JSON.parse(await readFile(join(REPO_ROOT, 'apps/coordinator/package.json'), 'utf8')) as { version: string }).version;

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kumi-cli-package-'));
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

/** Runs a program with a minimal environment; resolves to its exit code and output. */
async function call(file: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(file, args, { cwd, env: { PATH: `${process.execPath.replace(/\/node$/, '')}:/usr/bin:/bin`, HOME: base }, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npx kumi in a clone', () => {
  it('is the coordinator package\'s bin, which npm ci links into node_modules/.bin', async () => {
    const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { bin?: Record<string, string> }> };
    expect(lock.packages['apps/coordinator']?.bin).toEqual({ kumi: 'bin/kumi.mjs' });
    const result = await call(process.execPath, [join(REPO_ROOT, 'apps/coordinator/bin/kumi.mjs'), '--version'], base);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('the npm package', () => {
  it('installs from npm pack into an empty prefix and runs kumi --version and kumi plan', async () => {
    const packDir = join(base, 'pack');
    await mkdir(packDir);
    // prepack bundles apps/coordinator/dist/kumi.cjs.
    const packed = await run('npm', ['pack', '-w', '@kumi/coordinator', '--pack-destination', packDir, '--json'], { cwd: REPO_ROOT, timeout: 120_000, maxBuffer: 10_000_000 });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    expect(info?.files.map((file) => file.path).sort()).toEqual(['bin/kumi.mjs', 'dist/kumi.cjs', 'package.json']);
    const prefix = join(base, 'prefix');
    await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(packDir, info?.filename as string)], { cwd: base, timeout: 120_000 });
    const kumi = join(prefix, 'bin', 'kumi');
    expect(await call(kumi, ['--version'], base)).toMatchObject({ code: 0, stdout: `${version}\n` });
    const plan = await call(kumi, ['plan', SEED], base);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Plan of kumi up for cluster seed-ha: \d+ stages, \d+ host steps/);
  }, 240_000);
});

describe('the single files (nx run coordinator:package)', () => {
  let build: SeaBuildResult;
  beforeAll(async () => {
    build = await buildKumiBinaries({ repoRoot: REPO_ROOT });
  }, 300_000);

  it('ships x86-64 and AArch64 executables, listed in the shared SHA256SUMS', async () => {
    const file = (arch: 'x64' | 'arm64') => build.binaries.find((binary) => binary.arch === arch);
    expect((await readElfHeader(file('x64')?.path as string)).machine).toBe(ELF_MACHINE.x64);
    expect((await readElfHeader(file('arm64')?.path as string)).machine).toBe(ELF_MACHINE.arm64);
    const sums = await readFile(build.sumsPath, 'utf8');
    expect(sums).toContain(`${file('x64')?.sha256}  kumi-linux-x64\n`);
    expect(sums).toContain(`${file('arm64')?.sha256}  kumi-linux-arm64\n`);
    const check = await run('sha256sum', ['-c', '--ignore-missing', 'SHA256SUMS'], { cwd: join(build.sumsPath, '..') });
    expect(check.stdout).toContain('kumi-linux-x64: OK\nkumi-linux-arm64: OK\n');
  });

  it('runs on AArch64: kumi --version under qemu-user, where installed', async (context) => {
    // The arm64 file has the plain blob (the code cache is only for the build machine's
    // architecture); qemu-user proves it runs on an x86-64 machine.
    const sysroot = '/usr/aarch64-linux-gnu';
    const qemu = await run('sh', ['-c', `command -v qemu-aarch64 && test -e ${sysroot}/lib/ld-linux-aarch64.so.1`]).catch(() => undefined);
    if (!qemu || process.arch !== 'x64') {
      context.skip('qemu-user and the arm64 cross libraries are not installed: the arm64 file is only checked by its ELF header');
      return;
    }
    const arm = build.binaries.find((binary) => binary.arch === 'arm64')?.path as string;
    const result = await run('qemu-aarch64', ['-L', sysroot, arm, '--version'], { timeout: 60_000 });
    expect(result.stdout).toBe(`${version}\n`);
  }, 90_000);

  it.runIf(process.arch === 'x64')('copied alone into an empty folder, runs kumi --version, kumi plan and kumi init', async () => {
    const folder = await mkdtemp(join(base, 'alone-'));
    const kumi = join(folder, 'kumi');
    await copyFile(build.binaries.find((binary) => binary.arch === 'x64')?.path as string, kumi);
    await run('chmod', ['0755', kumi]);
    // No node on PATH: the file is all it needs.
    const env = { PATH: '/usr/bin:/bin', HOME: folder };
    const exec = (args: string[]) => run(kumi, args, { cwd: folder, env, timeout: 60_000 });
    expect((await exec(['--version'])).stdout).toBe(`${version}\n`);
    expect((await exec(['plan', SEED])).stdout).toMatch(/^Plan of kumi up for cluster seed-ha: \d+ stages/);
    const init = await exec(['--state-dir', join(folder, 'state'), 'init', '--name', 'alone', '--address', '192.0.2.1']);
    expect(init.stdout).toMatch(/Created cluster "alone" in .*\n {2}CA pin: {6}sha256:[0-9a-f]{64}/);
    expect((await readdir(join(folder, 'state'))).sort()).toEqual(expect.arrayContaining(['ca.crt', 'cluster.json', 'server.crt']));
    // Commands that load Node built-ins lazily (a single executable has no dynamic import()).
    await exec(['schema', '-o', join(folder, 'schema.json')]);
    expect(JSON.parse(await readFile(join(folder, 'schema.json'), 'utf8'))).toHaveProperty('$schema');
    // Alone, there are no agent files beside it to offer: cloud-init says what to do.
    const userData = await exec(['--state-dir', join(folder, 'state'), 'cloud-init', SEED, '--host', 'worker1']).catch((error: { code: number; stderr: string }) => error);
    expect(userData).toMatchObject({ code: 2, stderr: expect.stringContaining('no kumi-agent files to put in the user-data: build them with `nx run agent:package`') });
  }, 120_000);
});
