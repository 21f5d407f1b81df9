import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileLogger } from '../../src/logging/logger';
import { type RunningCoordinator, type StartCoordinatorOptions, startCoordinator } from '../../src/server/coordinator-server';
import { initCluster } from '../../src/state/cluster-init';
import { type ClusterState, openClusterState, readServingMaterial, type ServingMaterial } from '../../src/state/cluster-state';

/** A real coordinator on 127.0.0.1 (port 0) over a fresh state folder in a temp dir. */
export interface TestCluster {
  root: string;
  state: ClusterState;
  material: ServingMaterial;
  coordinator: RunningCoordinator;
  address: string;
  /** Stops the coordinator and removes the temp dir. */
  close(): Promise<void>;
}

/** Starts a TestCluster; always close() it in afterEach/afterAll. */
export async function startTestCluster(
  options: Pick<StartCoordinatorOptions, 'detachGraceMs' | 'answerTimeoutMs' | 'helloTimeoutMs' | 'enrollLimits'> = {},
): Promise<TestCluster> {
  const root = await mkdtemp(join(tmpdir(), 'kumi-coord-'));
  const dir = join(root, 'state');
  try {
    await initCluster({ name: 'test', dir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
    const state = await openClusterState(dir);
    const material = await readServingMaterial(state.paths);
    const logger = createFileLogger(state.paths.logFile, 'debug');
    const coordinator = await startCoordinator({ state, material, listen: { host: '127.0.0.1', port: 0 }, logger, ...options });
    return {
      root,
      state,
      material,
      coordinator,
      address: `127.0.0.1:${coordinator.port}`,
      async close() {
        await coordinator.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
