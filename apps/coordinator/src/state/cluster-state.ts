import { readFile } from 'node:fs/promises';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { type ClusterConfig, readClusterConfig } from './cluster-config';
import { HostRegistry } from './host-registry';
import { StateHeldError } from './state-lock';
import { type StatePaths, statePaths } from './state-paths';
import { StateStore } from './state-store';
import { type TokenBackend, TokenStore } from './token-store';
import { servingTokenBackend } from './serving-token-backend';

/** An opened cluster state folder. */
export interface ClusterState {
  paths: StatePaths;
  config: ClusterConfig;
  tokens: TokenStore;
  hosts: HostRegistry;
  /**
   * The state store, owned by this process: the first call takes the folder's lock and
   * loads the log. Fails with who holds it when another kumi process owns the folder.
   */
  store(): Promise<StateStore>;
  /** Releases this handle; the store closes (lock released) when its last handle does. */
  close(): Promise<void>;
}

interface OpenStore {
  store: Promise<StateStore>;
  handles: number;
}

/** One store per folder per process: every ClusterState of one folder in a process shares it. */
const openStores = new Map<string, OpenStore>();

/** Options of openClusterState. */
export interface OpenClusterStateOptions {
  /** Shown to a second kumi process that finds the folder held (default: "kumi" and the command line's first words). */
  command?: string;
}

/**
 * Opens the state folder at dir (cluster.json must exist and be valid). Nothing is
 * locked or loaded until the tokens, the hosts or the store are first used.
 */
export async function openClusterState(dir: string, options: OpenClusterStateOptions = {}): Promise<ClusterState> {
  const paths = statePaths(dir);
  const config = await readClusterConfig(paths.clusterJson);
  const command = options.command ?? ['kumi', ...process.argv.slice(2, 4)].join(' ');
  let held: OpenStore | undefined;
  const store = (): Promise<StateStore> => {
    if (!held) {
      held = openStores.get(paths.dir);
      if (!held) {
        held = { store: StateStore.open(paths, { command }), handles: 0 };
        const opening = held;
        openStores.set(paths.dir, opening);
        // A failed open must not stay cached: the next call tries again.
        opening.store.catch(() => {
          if (openStores.get(paths.dir) === opening) openStores.delete(paths.dir);
          if (held === opening) held = undefined;
        });
      }
      held.handles += 1;
    }
    return held.store;
  };
  let remote: TokenBackend | undefined;
  const tokenBackend = async (): Promise<TokenBackend> => {
    if (remote) return remote;
    try {
      return await store();
    } catch (error) {
      // `kumi serve` (or `kumi up`) owns the folder: token commands go through its control socket.
      if (!(error instanceof StateHeldError)) throw error;
      held = undefined;
      remote = await servingTokenBackend(paths, error);
      return remote;
    }
  };
  return {
    paths,
    config,
    tokens: new TokenStore(tokenBackend),
    hosts: new HostRegistry(store),
    store,
    async close() {
      const mine = held;
      held = undefined;
      if (!mine) return;
      mine.handles -= 1;
      if (mine.handles > 0) return;
      if (openStores.get(paths.dir) === mine) openStores.delete(paths.dir);
      await (await mine.store.catch(() => undefined))?.close();
    },
  };
}

/** The CA and serving certificate `kumi serve` needs. Never log these. */
export interface ServingMaterial {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/** Reads the CA and serving certificate from the state folder. */
export async function readServingMaterial(paths: StatePaths): Promise<ServingMaterial> {
  const read = async (path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): the cluster state is incomplete; restore the file from a backup`, ExitCode.STATE);
    }
  };
  return {
    caCertPem: await read(paths.caCert),
    caKeyPem: await read(paths.caKey),
    serverCertPem: await read(paths.serverCert),
    serverKeyPem: await read(paths.serverKey),
  };
}
