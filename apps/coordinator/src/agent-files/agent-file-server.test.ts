import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorAgentSource } from '../cloud-init/coordinator-source';
import { DOWNLOAD_CA_PATH, INSTALL_SCRIPT_PATH, renderInstallScript } from '../cloud-init/install-script';
import { createFileLogger } from '../logging/logger';
import { initCluster } from '../state/cluster-init';
import { readServingMaterial, type ServingMaterial } from '../state/cluster-state';
import { statePaths } from '../state/state-paths';
import { findAgentFiles, readAgentFiles } from './agent-dir';
import { startAgentFileServer, type AgentFileServer } from './agent-file-server';
import { offerAgentFiles } from './offer-agent-files';

const run = promisify(execFile);
// A stand-in agent: records how it was called (KUMI_TEST_LOG comes from the environment).
const FAKE_AGENT = '#!/bin/sh\necho "agent $*" >> "$KUMI_TEST_LOG"\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let root: string;
let agentDir: string;
let material: ServingMaterial;
let server: AgentFileServer;

/** GET/HEAD/POST over HTTPS, trusting only the cluster CA. */
function fetchFile(path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port: server.port, path, method, ca: material.caCertPem, servername: 'localhost' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    call.on('error', reject);
    call.end();
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kumi-agent-files-'));
  const stateDir = join(root, 'state');
  await initCluster({ name: 'files', dir: stateDir, addresses: [] });
  material = await readServingMaterial(statePaths(stateDir));
  agentDir = join(root, 'agents');
  await mkdir(agentDir);
  await writeFile(join(agentDir, 'kumi-agent-linux-x64'), FAKE_AGENT, { mode: 0o755 });
  await writeFile(join(agentDir, 'kumi-agent-linux-arm64'), FAKE_AGENT, { mode: 0o755 });
  // The kumi lines of a shared SHA256SUMS are not agent files and are not offered.
  await writeFile(join(agentDir, 'SHA256SUMS'), `${sha256(FAKE_AGENT)}  kumi-agent-linux-x64\n${sha256(FAKE_AGENT)}  kumi-agent-linux-arm64\n${'c'.repeat(64)}  kumi-linux-x64\n`);
  server = await startAgentFileServer({ material, host: '127.0.0.1', port: 0, files: readAgentFiles(agentDir), logger: createFileLogger(join(root, 'kumi.log')) });
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the agent file server', () => {
  it('serves each architecture and SHA256SUMS over HTTPS that the cluster CA verifies', async () => {
    for (const arch of ['x64', 'arm64']) {
      const file = await fetchFile(`/v1/agent/linux-${arch}`);
      expect(file).toMatchObject({ status: 200, body: FAKE_AGENT, headers: { 'content-length': String(FAKE_AGENT.length), 'content-type': 'application/octet-stream' } });
    }
    const sums = await fetchFile('/v1/agent/SHA256SUMS');
    expect(sums.body).toBe(`${sha256(FAKE_AGENT)}  kumi-agent-linux-x64\n${sha256(FAKE_AGENT)}  kumi-agent-linux-arm64\n`);
    const head = await fetchFile('/v1/agent/linux-x64', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '', headers: { 'content-length': String(FAKE_AGENT.length) } });
  });

  it.each([
    ['/', 404],
    ['/v1/agent/', 404],
    ['/v1/agent/../../../etc/passwd', 404],
    ['/v1/agent/kumi-agent-linux-x64', 404],
    ['/v1/agent/linux-x64?x=1', 404],
    ['/v1/agent/%2e%2e/SHA256SUMS', 404],
  ])('answers %s with %d, naming the files it serves and no path', async (path, status) => {
    const answer = await fetchFile(path);
    expect(answer.status).toBe(status);
    expect(answer.body).toContain('this port serves only /v1/agent/linux-x64, /v1/agent/linux-arm64 and /v1/agent/SHA256SUMS');
    expect(answer.body).not.toContain(root);
  });

  it('refuses anything but GET and HEAD', async () => {
    const answer = await fetchFile('/v1/agent/linux-x64', 'POST');
    expect(answer).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
  });

  it('is refused by a client that does not trust the cluster CA', async () => {
    const result = await run('curl', ['-fsS', `https://localhost:${server.port}/v1/agent/SHA256SUMS`]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(60); // curl: peer certificate cannot be authenticated with known CA certificates
  });

  it('says what to do when the coordinator has no agent files, without a path', async () => {
    const empty = await startAgentFileServer({ material, host: '127.0.0.1', port: 0, files: findAgentFiles([join(root, 'nothing-here')]), logger: createFileLogger(join(root, 'kumi.log')) });
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const call = request({ host: '127.0.0.1', port: empty.port, path: '/v1/agent/linux-x64', ca: material.caCertPem, servername: 'localhost' }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        call.on('error', reject);
        call.end();
      });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatch(/this coordinator has no kumi-agent for linux-x64: on the coordinator, build them with `nx run agent:package`/);
      expect(answer.body).not.toContain(root);
    } finally {
      await empty.close();
    }
  });
});

describe('the install script of the user-data, against the coordinator', () => {
  /** Runs the rendered script with its folders moved under a temp dir, a stub systemctl and the CA file written as user-data would. */
  async function install(script: string) {
    const dir = await mkdtemp(join(root, 'host-'));
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'systemctl'), '#!/bin/sh\necho "systemctl $*" >> "$KUMI_TEST_LOG"\n', { mode: 0o755 });
    await writeFile(join(dir, 'ca.crt'), material.caCertPem);
    const scriptPath = join(dir, 'install.sh');
    await writeFile(scriptPath, script.replaceAll('/usr/local/lib/kumi', join(dir, 'lib')).replaceAll(DOWNLOAD_CA_PATH, join(dir, 'ca.crt')), { mode: 0o755 });
    const log = join(dir, 'calls.log');
    const result = await run('/bin/sh', [scriptPath], { env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, KUMI_TEST_LOG: log }, timeout: 60_000 }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    const calls = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    return { ...result, calls, leftovers: await readdir(join(dir, 'lib')).catch(() => []) };
  }

  const sourceFor = () => coordinatorAgentSource(`localhost:${server.port - 1}`, material.caCertPem, readAgentFiles(agentDir));

  it('downloads with curl --cacert from port + 1, checks the sha256, installs and starts the agent', async () => {
    const script = renderInstallScript(sourceFor());
    expect(script).toContain(`curl -fsSL --cacert ${DOWNLOAD_CA_PATH} `);
    expect(script).toContain(`url='https://localhost:${server.port}/v1/agent/linux-'"$arch"`);
    const result = await install(script);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, calls: ['agent install', 'systemctl enable --now kumi-agent'], leftovers: [] });
    expect(INSTALL_SCRIPT_PATH.startsWith('/usr/local/lib/kumi/')).toBe(true);
  });

  it('refuses a file that was changed after the user-data was made, and installs nothing', async () => {
    const source = sourceFor();
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    const file = join(agentDir, `kumi-agent-linux-${arch}`);
    await writeFile(file, `${FAKE_AGENT}echo tampered\n`);
    try {
      const result = await install(renderInstallScript(source));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/does not have sha256 [0-9a-f]{64}: refusing to run it \(wrong file, or tampered with\)/);
      expect(result.calls).toEqual([]);
      expect(result.leftovers).toEqual([]);
    } finally {
      await writeFile(file, FAKE_AGENT, { mode: 0o755 });
    }
  });
});

describe('offerAgentFiles', () => {
  it('offers the files on the TLS port + 1 and says where they come from', async () => {
    // Port 0 stays 0 (tests): the summary names the port actually bound.
    const offered = await offerAgentFiles({ material, host: '127.0.0.1', tlsPort: 0, agentDir, logger: createFileLogger(join(root, 'kumi.log')) });
    try {
      expect(offered.summary).toMatch(new RegExp(`^agent files \\(x64, arm64\\) on https://127\\.0\\.0\\.1:\\d+/v1/agent/ from ${agentDir}$`));
    } finally {
      await offered.close();
    }
  });

  it('never stops the coordinator: a taken port becomes a summary saying what to do', async () => {
    const blocker = createTcpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const offered = await offerAgentFiles({ material, host: '127.0.0.1', tlsPort: taken - 1, agentDir, logger: createFileLogger(join(root, 'kumi.log')) });
      expect(offered.summary).toBe(`cannot offer the agent files on 127.0.0.1:${taken} (EADDRINUSE): hosts cannot download kumi-agent from this coordinator; free that port, or give \`kumi cloud-init\` --agent-url of a mirror`);
      await offered.close();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
