import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { initCluster } from '../../src/state/cluster-init';
import { type ClusterState, openClusterState, readServingMaterial, type ServingMaterial } from '../../src/state/cluster-state';
import type { UpOptions } from '../../src/up/run-up';
import type { AgentIdentity } from './fake-agent';
import { enrollDirect, SimAgent, SimCluster } from './sim-cluster';

/** The seed's cluster spec (six hosts, three control planes, drill enabled). */
export const SEED_SPEC = fileURLToPath(new URL('../../../../examples/seed-ha.yaml', import.meta.url));
export const SEED_HOSTS = ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1'];

/** A state folder with every host enrolled, a SimCluster and its agents (started on demand). */
export interface UpFixture {
  root: string;
  dir: string;
  state: ClusterState;
  material: ServingMaterial;
  sim: SimCluster;
  agents: SimAgent[];
  /** Starts one SimAgent per host, dialling address (they retry until it listens). */
  startAgents(address: string): void;
  stopAgents(): void;
  close(): Promise<void>;
}

export async function upFixture(hosts: readonly string[] = SEED_HOSTS): Promise<UpFixture> {
  const root = await mkdtemp(join(tmpdir(), 'kumi-up-'));
  const dir = join(root, 'state');
  let state: ClusterState;
  let material: ServingMaterial;
  const identities: AgentIdentity[] = [];
  try {
    await initCluster({ name: 'seed-ha', dir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
    state = await openClusterState(dir);
    material = await readServingMaterial(state.paths);
    for (const host of hosts) identities.push(await enrollDirect(state, material, host));
    // One process owns a state folder at a time: let go of it, so a `kumi up` started
    // by the test (in this process or another) can take it.
    await state.close();
  } catch (error) {
    // The caller gets no fixture to close: remove the CA key and tokens written so far.
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const sim = new SimCluster();
  const agents: SimAgent[] = [];
  const stopAgents = () => {
    for (const agent of agents.splice(0)) agent.stop();
  };
  return {
    root,
    dir,
    state,
    material,
    sim,
    agents,
    startAgents(address) {
      for (const identity of identities) {
        const agent = new SimAgent(sim, identity, material.caCertPem);
        agents.push(agent);
        agent.start(address);
      }
    },
    stopAgents,
    async close() {
      stopAgents();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on 127.0.0.1 (for commands that need --listen before they start). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A non-terminal output stream that keeps everything written to it. */
export function captureStream(): { out: NodeJS.WriteStream; text(): string } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { out: Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream, text: () => written };
}

/** Every file under dir with its content (for leak scans). */
export function filesUnder(dir: string): Array<{ path: string; content: string }> {
  const found: Array<{ path: string; content: string }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) found.push(...filesUnder(path));
    else if (stat.isFile()) found.push({ path, content: readFileSync(path, 'latin1') });
  }
  return found;
}

/** Every secret value the agents received, and its halves for tokens (id.secret). */
export function receivedSecrets(sim: SimCluster): string[] {
  const values = new Set<string>();
  for (const request of sim.requests) {
    for (const value of Object.values(request.secrets)) {
      values.add(value);
      const secretHalf = value.split('.')[1];
      if (secretHalf) values.add(secretHalf);
    }
  }
  return [...values];
}

/** `kumi up` options for the simulated seed cluster; the agents start once kumi listens. */
export function upOptions(f: UpFixture, extra: Partial<UpOptions> = {}): UpOptions {
  return {
    mode: 'up',
    specPath: SEED_SPEC,
    only: [],
    skip: [],
    json: false,
    yes: true,
    selection: { stateDir: f.dir },
    listen: { host: '127.0.0.1', port: 0 },
    attachTimeoutMs: 20_000,
    detachGraceMs: 5_000,
    onListening: (address) => f.startAgents(`127.0.0.1:${address.port}`),
    ...extra,
  };
}
