import { readFile } from 'node:fs/promises';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { type ClusterConfig, readClusterConfig } from './cluster-config';
import { HostRegistry } from './host-registry';
import { type StatePaths, statePaths } from './state-paths';
import { TokenStore } from './token-store';

/** An opened cluster state folder. */
export interface ClusterState {
  paths: StatePaths;
  config: ClusterConfig;
  tokens: TokenStore;
  hosts: HostRegistry;
}

/** Opens the state folder at dir (cluster.json must exist and be valid). */
export async function openClusterState(dir: string): Promise<ClusterState> {
  const paths = statePaths(dir);
  const config = await readClusterConfig(paths.clusterJson);
  return { paths, config, tokens: new TokenStore(paths.tokens, paths.lock), hosts: new HostRegistry(paths.hosts) };
}

/** The CA and serving key material `kumi serve` needs. Never log these. */
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
