import { mkdtemp, rm } from 'node:fs/promises';
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
