import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_SCRIPT_PATH, renderInstallScript } from './install-script';

const run = promisify(execFile);
const INSTALL_DIR = '/usr/local/lib/kumi';

// A stand-in agent: records how it was called (LOG comes from the environment).
const FAKE_AGENT = '#!/bin/sh\necho "agent $*" >> "$KUMI_TEST_LOG"\n';
const FAKE_SYSTEMCTL = '#!/bin/sh\necho "systemctl $*" >> "$KUMI_TEST_LOG"\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let root: string;
let server: Server;
let baseUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kumi-install-script-'));
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/kumi-agent-linux-x64' || request.url === '/kumi-agent-linux-arm64') response.end(FAKE_AGENT);
    else response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  await rm(root, { recursive: true, force: true });
});

/** Runs the script with its install folder moved under a temp dir and a stub systemctl. */
async function runScript(script: string, options: { onlyTools?: string[] } = {}) {
  const dir = await mkdtemp(join(root, 'case-'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'systemctl'), FAKE_SYSTEMCTL, { mode: 0o755 });
  if (options.onlyTools) {
    for (const tool of options.onlyTools) {
      const { stdout } = await run('sh', ['-c', 'command -v "$1"', 'sh', tool]);
      await symlink(stdout.trim(), join(bin, tool));
    }
  }
  const scriptPath = join(dir, 'install-kumi-agent.sh');
  await writeFile(scriptPath, script.replaceAll(INSTALL_DIR, join(dir, 'lib')), { mode: 0o755 });
  const log = join(dir, 'calls.log');
  const PATH = options.onlyTools ? bin : `${bin}:${process.env.PATH}`;
  const result = await run('/bin/sh', [scriptPath], { env: { PATH, KUMI_TEST_LOG: log }, timeout: 20_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  const calls = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  return { ...result, calls, leftovers: await readdir(join(dir, 'lib')).catch(() => []) };
}

describe('the install script of the user-data', () => {
  it('is installed at a path outside /tmp', () => {
    expect(INSTALL_SCRIPT_PATH.startsWith(`${INSTALL_DIR}/`)).toBe(true);
  });

  it('downloads the file for this CPU, checks it, installs and starts the agent', async () => {
    requests.length = 0;
    const script = renderInstallScript({ url: `${baseUrl}/kumi-agent-linux-{arch}`, sha256: { x64: sha256(FAKE_AGENT), arm64: sha256(FAKE_AGENT) } });
    const result = await runScript(script);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    expect(requests).toEqual([`/kumi-agent-linux-${arch}`]);
    expect(result.calls).toEqual(['agent install', 'systemctl enable --now kumi-agent']);
    expect(result.leftovers).toEqual([]);
  });

  it('refuses a download whose sha256 differs and runs nothing', async () => {
    const script = renderInstallScript({ url: `${baseUrl}/kumi-agent-linux-{arch}`, sha256: { x64: 'f'.repeat(64), arm64: 'f'.repeat(64) } });
    const result = await runScript(script);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/does not have sha256 f{64}: refusing to run it/);
    expect(result.calls).toEqual([]);
    expect(result.leftovers).toEqual([]);
  });

  it('says so when this CPU has no checksum in the user-data', async () => {
    const script = renderInstallScript({ url: `${baseUrl}/kumi-agent-linux-{arch}`, sha256: {} });
    const result = await runScript(script);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no checksum for the (x64|arm64) agent in this user-data/);
    expect(result.calls).toEqual([]);
  });

  it('falls back to wget when curl is missing', async (context) => {
    const tools = ['uname', 'mkdir', 'mktemp', 'rm', 'sha256sum', 'chmod', 'sleep', 'wget'];
    const missing = await run('sh', ['-c', `for t in ${tools.join(' ')}; do command -v $t >/dev/null || echo $t; done`]);
    if (missing.stdout.trim() !== '') {
      context.skip(`cannot test the wget path: ${missing.stdout.trim()} not installed`);
      return;
    }
    const script = renderInstallScript({ url: `${baseUrl}/kumi-agent-linux-x64`, sha256: { any: sha256(FAKE_AGENT) } });
    const result = await runScript(script, { onlyTools: tools });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(['agent install', 'systemctl enable --now kumi-agent']);
  });
});
