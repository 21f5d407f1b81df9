import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentBinaries, type AgentBuildResult } from '../../package/build-agent-binaries';
import { ELF_MACHINE, readElfHeader } from '../../package/elf-header';
import { REPO_ROOT } from '../integration/support/bundles';
import { killStartedProcesses, startedProcesses, waitFor, type Started } from '../integration/support/processes';
import { parseEvents, TestCluster } from '../integration/support/test-cluster';

const run = promisify(execFile);
const HOST = 'packaged-1';

let build: AgentBuildResult;
let base: string;
let cluster: TestCluster;

/** Starts an executable (not a node script) with output captured; killed in afterAll. */
function startExecutable(file: string, args: string[], cwd: string): Started {
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started: Started = { child, output: () => text, exited };
  startedProcesses.push(started);
  return started;
}

beforeAll(async () => {
  // Built once; when dist/ already holds binaries of the same sources this takes ~1 s.
  build = await buildAgentBinaries({ repoRoot: REPO_ROOT });
  base = await mkdtemp(join(tmpdir(), 'kumi-packaged-'));
  const kumiBundle = join(base, 'bin', 'kumi.cjs');
  await run(process.execPath, ['tools/build/bundle.mjs', 'apps/coordinator/src/main.ts', kumiBundle, '--all'], { cwd: REPO_ROOT, timeout: 60_000 });
  cluster = new TestCluster(base, { kumi: kumiBundle, agent: '' });
  await cluster.init();
  await cluster.startServe();
}, 240_000);

afterAll(async () => {
  await killStartedProcesses();
  if (base) await rm(base, { recursive: true, force: true });
});

const binary = (arch: 'x64' | 'arm64') => {
  const found = build.binaries.find((entry) => entry.arch === arch);
  if (!found) throw new Error(`no ${arch} binary was built`);
  return found;
};

describe('the packaged kumi-agent', () => {
  it('ships an x86-64 and an AArch64 ELF executable, listed in SHA256SUMS', async () => {
    const arm = await readElfHeader(binary('arm64').path);
    expect(arm).toMatchObject({ bits: 64, endianness: 'little', machine: ELF_MACHINE.arm64 });
    expect(arm.machine).toBe(0xb7);
    expect(await readElfHeader(binary('x64').path)).toMatchObject({ bits: 64, endianness: 'little', machine: 0x3e });
    // SHA256SUMS is shared with the kumi single files (nx run coordinator:package).
    const agentLines = (await readFile(build.sumsPath, 'utf8')).split('\n').filter((line) => line.includes('kumi-agent-'));
    expect(agentLines).toEqual([`${binary('x64').sha256}  kumi-agent-linux-x64`, `${binary('arm64').sha256}  kumi-agent-linux-arm64`]);
    const check = await run('sha256sum', ['-c', '--ignore-missing', 'SHA256SUMS'], { cwd: join(build.sumsPath, '..') });
    expect(check.stdout).toContain('kumi-agent-linux-x64: OK\nkumi-agent-linux-arm64: OK\n');
  });

  it('runs on AArch64: --version under qemu-user, where installed', async (context) => {
    // The SEA blob has no snapshot or code cache, so the blob made by the x64 build Node
    // must work in the arm64 Node as well; qemu-user proves it on an x86-64 machine.
    const sysroot = '/usr/aarch64-linux-gnu';
    const qemu = await run('sh', ['-c', `command -v qemu-aarch64 && test -e ${sysroot}/lib/ld-linux-aarch64.so.1`]).catch(() => undefined);
    if (!qemu || process.arch !== 'x64') {
      context.skip('qemu-user and the arm64 cross libraries (Debian: qemu-user libc6-arm64-cross libstdc++6-arm64-cross) are not installed: the arm64 file is only checked by its ELF header');
      return;
    }
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await run('qemu-aarch64', ['-L', sysroot, binary('arm64').path, '--version'], { timeout: 60_000 });
    expect(result.stdout.trim()).toBe(version);
  }, 90_000);

  it('stays within the 100 MB file-size target', () => {
    for (const arch of ['x64', 'arm64'] as const) expect(binary(arch).sizeBytes).toBeLessThanOrEqual(100_000_000);
  });

  describe('copied alone into an empty folder', () => {
    let folder: string;
    let agentFile: string;

    beforeAll(async () => {
      folder = await mkdtemp(join(base, 'alone-'));
      agentFile = join(folder, 'kumi-agent');
      await copyFile(binary('x64').path, agentFile);
      await run('chmod', ['0755', agentFile]);
    });

    it.runIf(process.arch === 'x64')('prints the repository version', async () => {
      const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
      const result = await run(agentFile, ['--version'], { cwd: folder, env: { PATH: '/usr/bin:/bin' }, timeout: 10_000 });
      expect(result.stdout.trim()).toBe(version);
      expect(await readdir(folder)).toEqual(['kumi-agent']);
    });

    it.runIf(process.arch === 'x64')('installs itself and its unit under --root, and changes nothing the second time', async () => {
      const root = join(base, 'install-root');
      const first = await run(agentFile, ['install', '--root', root], { cwd: folder, env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 });
      expect(first.stdout).toContain('changed  copied the agent to /usr/local/bin/kumi-agent');
      expect(first.stdout).toContain('changed  wrote /etc/systemd/system/kumi-agent.service');
      expect(first.stdout).toContain('skipped  systemctl daemon-reload');
      const digest = async (path: string) => (await run('sha256sum', [path])).stdout.split(' ')[0];
      expect(await digest(join(root, 'usr/local/bin/kumi-agent'))).toBe(binary('x64').sha256);
      expect(await readFile(join(root, 'etc/systemd/system/kumi-agent.service'), 'utf8')).toContain('ExecStart=/usr/local/bin/kumi-agent run\n');
      const second = await run(agentFile, ['install', '--root', root], { cwd: folder, env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 });
      expect(second.stdout).toMatch(/is already installed: nothing changed\n$/);
    });

    it.runIf(process.arch === 'x64')('refuses a bad agent.yaml with exit code 2, naming the key and the fix', async () => {
      const config = join(folder, '..', 'bad-agent.yaml');
      await writeFile(config, `coordinator: "${cluster.address}"\ncaPin: "sha256:nothex"\n`, { mode: 0o600 });
      const result = await run(agentFile, ['run', '--config', config, '--state-dir', join(base, 'bad-state')], { cwd: folder, env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('caPin: must be "sha256:" followed by 64 hex digits');
    });

    it.runIf(process.arch === 'x64')('enrolls with a cloud-init style agent.yaml, attaches and runs a step', async () => {
      const token = await cluster.createToken({ host: HOST, ttl: '10m' });
      const home = join(base, 'host');
      const root = join(home, 'root');
      for (const file of ['net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables', 'net/ipv4/ip_forward']) {
        await mkdir(join(root, 'proc/sys', file, '..'), { recursive: true });
        await writeFile(join(root, 'proc/sys', file), '0\n');
      }
      // The same keys `kumi cloud-init` writes to /etc/kumi/agent.yaml.
      const config = join(home, 'agent.yaml');
      await writeFile(config, `coordinator: "${cluster.address}"\ncaPin: "${cluster.caPin}"\ntoken: "${token}"\nhostName: "${HOST}"\n`, { mode: 0o600 });
      const agent = startExecutable(agentFile, ['run', '--config', config, '--state-dir', join(home, 'state'), '--root', root], folder);

      await waitFor(`${HOST} to attach`, async () => {
        if (agent.child.exitCode !== null) throw new Error(`the packaged agent exited early:\n${agent.output()}`);
        return (await cluster.agents()).some((info) => info.hostName === HOST);
      });
      const [info] = (await cluster.agents()).filter((entry) => entry.hostName === HOST);
      expect(info?.agentVersion).toBe(JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version);
      expect(info?.facts.kernel.length).toBeGreaterThan(0);
      expect(await readdir(join(home, 'state'))).toEqual(expect.arrayContaining(['agent.crt', 'agent.key', 'ca.crt']));

      const step = await cluster.kumi(['run', 'sysctl.kubernetes', '--host', HOST, '--json'], 'run-packaged.log');
      expect(step.code, step.output).toBe(0);
      const events = parseEvents(step.output);
      expect(events[0]).toMatchObject({ kind: 'START', host: HOST, step: 'sysctl.kubernetes' });
      expect(events.at(-1)?.kind).toBe('DONE');
      expect(await readFile(join(root, 'etc/sysctl.d/kumi-kubernetes.conf'), 'utf8')).toContain('net.ipv4.ip_forward = 1');
      expect(agent.output()).not.toContain(token.split('.')[1] as string);
    });
  });
});
