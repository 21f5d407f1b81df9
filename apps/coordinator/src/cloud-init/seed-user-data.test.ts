import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { createKeyAndCsr, verifyPeerCert } from '@kumi/trust';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kumi } from '../../test/helpers/capture';
import { enroll } from '../server/enroll-service';
import { initCluster } from '../state/cluster-init';
import { openClusterState, readServingMaterial, type ClusterState, type ServingMaterial } from '../state/cluster-state';

const run = promisify(execFile);
const SEED_SPEC = resolve(__dirname, '../../../../examples/seed-ha.yaml');
const SEED_HOSTS = ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1'];
const X64_SHA = '1'.repeat(64);
const ARM_SHA = '2'.repeat(64);
const TOKEN = /[a-z0-9]{6}\.[a-z0-9]{16}/g;

interface WriteFile {
  path: string;
  permissions: string;
  content: string;
}

let root: string;
let state: ClusterState;
let material: ServingMaterial;
const userData = new Map<string, string>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kumi-cloud-init-'));
  const stateDir = join(root, 'state');
  await initCluster({ name: 'seed-ha', dir: stateDir, addresses: ['192.0.2.1'], port: 7443 });
  state = await openClusterState(stateDir);
  material = await readServingMaterial(state.paths);
  const sums = join(root, 'SHA256SUMS');
  await writeFile(sums, `${X64_SHA}  kumi-agent-linux-x64\n${ARM_SHA}  kumi-agent-linux-arm64\n`);
  const result = await kumi(
    '--state-dir', stateDir, 'cloud-init', SEED_SPEC, '--all', '--out', join(root, 'user-data'),
    '--agent-url', 'https://files.example.com/kumi/kumi-agent-linux-{arch}', '--agent-sums', sums, '--ttl', '2h',
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  for (const host of SEED_HOSTS) userData.set(host, await readFile(join(root, 'user-data', `${host}.user-data`), 'utf8'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function parsed(host: string): { write_files: WriteFile[]; runcmd: unknown[] } {
  return parseYaml(userData.get(host) as string) as { write_files: WriteFile[]; runcmd: unknown[] };
}

interface AgentYaml {
  coordinator: string;
  caPin: string;
  token: string;
  hostName: string;
}

function agentConfig(host: string): AgentYaml {
  const file = parsed(host).write_files.find((entry) => entry.path === '/etc/kumi/agent.yaml');
  return parseYaml(file?.content ?? '') as AgentYaml;
}

describe('kumi cloud-init for the seed spec', () => {
  it('writes one 0600 file per host of the spec', async () => {
    expect((await readdir(join(root, 'user-data'))).sort()).toEqual(SEED_HOSTS.map((host) => `${host}.user-data`).sort());
    for (const host of SEED_HOSTS) {
      expect((await stat(join(root, 'user-data', `${host}.user-data`))).mode & 0o777).toBe(0o600);
    }
  });

  it.each(SEED_HOSTS)('user-data of %s passes `cloud-init schema`', async (host) => {
    const file = join(root, 'user-data', `${host}.user-data`);
    const result = await run('cloud-init', ['schema', '--config-file', file]).catch((error: { code?: string; stdout?: string; stderr?: string }) => {
      if (error.code === 'ENOENT') throw new Error('cloud-init is not installed: run tools/setup.sh (Debian package cloud-init)');
      throw new Error(`cloud-init schema refused ${host}'s user-data:\n${error.stdout}${error.stderr}`);
    });
    expect(result.stdout).toContain('Valid cloud-config');
    expect(userData.get(host)?.startsWith('#cloud-config\n')).toBe(true);
  });

  it.each(SEED_HOSTS)('%s gets agent.yaml (0600) with the coordinator, the pin and its own token', (host) => {
    const files = parsed(host).write_files;
    expect(files.find((entry) => entry.path === '/etc/kumi/agent.yaml')?.permissions).toBe('0600');
    const config = agentConfig(host);
    expect(Object.keys(config).sort()).toEqual(['caPin', 'coordinator', 'hostName', 'token']);
    expect(config.coordinator).toBe('192.0.2.1:7443');
    expect(config.caPin).toBe(state.config.caPin);
    expect(config.hostName).toBe(host);
    expect(config.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  });

  it('runs the install script, which checks the sha256 of the right file for the CPU', () => {
    const { runcmd, write_files: files } = parsed('master1');
    expect(runcmd).toEqual(['/usr/local/lib/kumi/install-kumi-agent.sh']);
    const script = files.find((entry) => entry.path === '/usr/local/lib/kumi/install-kumi-agent.sh')?.content ?? '';
    expect(script).toContain(`x86_64 | amd64) arch=x64; sha256='${X64_SHA}'`);
    expect(script).toContain(`aarch64 | arm64) arch=arm64; sha256='${ARM_SHA}'`);
    expect(script).toContain('sha256sum -c -');
    expect(script).toContain('"$agent" install\nsystemctl enable --now kumi-agent\n');
  });

  it('holds no key material and no secret but the host\'s own token', async () => {
    const secretsOnDisk = [material.caKeyPem, material.serverKeyPem];
    const keyLines = secretsOnDisk.flatMap((pem) => pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----')));
    const tokens = SEED_HOSTS.map((host) => agentConfig(host).token);
    for (const host of SEED_HOSTS) {
      const text = userData.get(host) as string;
      expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|certificate-key|discovery-token-ca-cert-hash|authPass|kumi-lb/);
      for (const line of keyLines) expect(text).not.toContain(line);
      // The only token-shaped string is this host's, once.
      const own = agentConfig(host).token;
      expect(text.match(TOKEN)).toEqual([own]);
      for (const other of tokens.filter((token) => token !== own)) expect(text).not.toContain(other.split('.')[1] as string);
      // Every long opaque string is accounted for: the pin, the agent digests, the token.
      const allowed = new Set([state.config.caPin.slice('sha256:'.length), X64_SHA, ARM_SHA, own.split('.')[1] as string]);
      const opaque = (text.match(/[A-Za-z0-9+=]{16,}/g) ?? []).filter((word) => !allowed.has(word));
      expect(opaque).toEqual([]);
    }
  });

  it('mints tokens that each work once, and only for their own host', async () => {
    const deps = { store: await state.store(), ca: { certPem: material.caCertPem, keyPem: material.caKeyPem }, logger: pino({ level: 'silent' }) };
    const enrollAs = async (token: string, hostName: string) => {
      const { csrPem } = await createKeyAndCsr(hostName);
      return enroll({ token, csrPem, hostName }, deps);
    };
    for (const [index, host] of SEED_HOSTS.entries()) {
      const token = agentConfig(host).token;
      const stranger = SEED_HOSTS[(index + 1) % SEED_HOSTS.length] as string;
      await expect(enrollAs(token, stranger)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      const response = await enrollAs(token, host);
      expect(verifyPeerCert(response.certificatePem ?? '', material.caCertPem)).toEqual({ ok: true, commonName: host });
      await expect(enrollAs(token, host)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    }
    const records = await state.tokens.list();
    expect(records.map((record) => [record.host, record.usedBy])).toEqual(SEED_HOSTS.map((host) => [host, host]));
  });
});
