import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kumi } from '../../test/helpers/capture';
import { initCluster } from '../state/cluster-init';
import { openClusterState } from '../state/cluster-state';

const SEED_SPEC = resolve(__dirname, '../../../../examples/seed-ha.yaml');
const AGENT = ['--agent-url', 'https://files.example.com/kumi-agent-linux-x64', '--agent-sha256', 'a'.repeat(64)];

let root: string;
let seedState: string;
let loopbackOnlyState: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kumi-cloud-init-cli-'));
  seedState = join(root, 'seed');
  loopbackOnlyState = join(root, 'loopback');
  await initCluster({ name: 'seed-ha', dir: seedState, addresses: ['192.0.2.1'] });
  await initCluster({ name: 'seed-ha', dir: loopbackOnlyState, addresses: [] });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const tokenCount = async (dir: string) => (await (await openClusterState(dir)).tokens.list()).length;

describe('kumi cloud-init refuses bad input and mints nothing', () => {
  it.each([
    ['no host chosen', [], /say which hosts: --host NAME/],
    ['--all without --out', ['--all'], /several hosts need --out DIR/],
    ['--host and --all', ['--all', '--host', 'lb1', '--out', 'x'], /either --host NAME .* or --all/],
    ['a host that is not in the spec', ['--host', 'master9'], /host "master9" is not in the spec \(hosts: lb1, lb2, master1, master2, master3, worker1\)/],
    ['a bad TTL', ['--host', 'lb1', '--ttl', 'soon'], /invalid --ttl "soon"/],
  ])('%s', async (_name, args, message) => {
    const result = await kumi('--state-dir', seedState, 'cloud-init', SEED_SPEC, ...AGENT, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(await tokenCount(seedState)).toBe(0);
  });

  it('a coordinator certificate that does not name spec.coordinator.address', async () => {
    const result = await kumi('--state-dir', loopbackOnlyState, 'cloud-init', SEED_SPEC, ...AGENT, '--host', 'lb1');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/spec.coordinator.address is 192.0.2.1:7443, but the coordinator's certificate .* names only 127.0.0.1, localhost.*kumi init --name seed-ha --address 192.0.2.1/);
    expect(await tokenCount(loopbackOnlyState)).toBe(0);
  });

  it('prints one host\'s user-data on stdout and the token id on stderr', async () => {
    const result = await kumi('--state-dir', seedState, 'cloud-init', SEED_SPEC, ...AGENT, '--host', 'worker1');
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('#cloud-config\n')).toBe(true);
    expect(result.stdout).toContain('hostName: "worker1"');
    const [record] = await (await openClusterState(seedState)).tokens.list();
    expect(record?.host).toBe('worker1');
    expect(result.stderr).toContain(`token ${record?.id} (single-use, this host only)`);
    expect(result.stderr).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
  });
});

describe('kumi cloud-init without --agent-url: the coordinator serves the agent', () => {
  it('points hosts at https://ADDRESS:PORT+1/v1/agent/ with the CA certificate and each file\'s sha256', async () => {
    const agentDir = join(root, 'agent-files');
    await mkdir(agentDir, { recursive: true });
    await writeFile(join(agentDir, 'kumi-agent-linux-x64'), 'x64 agent');
    await writeFile(join(agentDir, 'kumi-agent-linux-arm64'), 'arm64 agent');
    await writeFile(join(agentDir, 'SHA256SUMS'), `${'a'.repeat(64)}  kumi-agent-linux-x64\n${'b'.repeat(64)}  kumi-agent-linux-arm64\n`);
    const result = await kumi('--state-dir', seedState, 'cloud-init', SEED_SPEC, '--agent-dir', agentDir, '--host', 'master1');
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`url='https://192.0.2.1:7444/v1/agent/linux-'"$arch"`);
    expect(result.stdout).toContain(`x86_64 | amd64) arch=x64; sha256='${'a'.repeat(64)}'`);
    expect(result.stdout).toContain(`aarch64 | arm64) arch=arm64; sha256='${'b'.repeat(64)}'`);
    expect(result.stdout).toContain('curl -fsSL --cacert /etc/kumi/coordinator-ca.crt ');
    const caPem = await readFile(join(seedState, 'ca.crt'), 'utf8');
    const { parse } = await import('yaml');
    const userData = parse(result.stdout) as { write_files: { path: string; content: string; permissions: string }[] };
    expect(userData.write_files.find((file) => file.path === '/etc/kumi/coordinator-ca.crt')).toEqual({ path: '/etc/kumi/coordinator-ca.crt', owner: 'root:root', permissions: '0644', content: caPem });
    expect(result.stdout).not.toContain('PRIVATE KEY');
  });

  it('refuses with the fix when there are no agent files, and mints nothing', async () => {
    const before = await tokenCount(seedState);
    const result = await kumi('--state-dir', seedState, 'cloud-init', SEED_SPEC, '--agent-dir', join(root, 'empty'), '--host', 'master1');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no kumi-agent files to put in the user-data: build them with `nx run agent:package`.*or give --agent-url/);
    expect(await tokenCount(seedState)).toBe(before);
  });
});
