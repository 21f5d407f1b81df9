import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename } from 'node:path';
import { caPin, createCa, issueServerCert } from '@kumi/trust';
import { CliError, usageError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { type ClusterConfig, DEFAULT_PORT } from './cluster-config';
import { createPrivateFile, ensurePrivateDir } from './secure-files';
import { statePaths } from './state-paths';
import { StateStore } from './state-store';

/** What `kumi init` needs. */
export interface InitClusterOptions {
  name: string;
  dir: string;
  /** Addresses (IPs or DNS names) agents use to reach the coordinator. */
  addresses: string[];
  port?: number;
  listenHost?: string;
  now?: Date;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Splits addresses into certificate SANs; localhost and 127.0.0.1 are always included. */
export function serverSans(addresses: string[]): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set(['localhost']);
  const ipAddresses = new Set(['127.0.0.1']);
  for (const address of addresses) {
    if (isIP(address)) ipAddresses.add(address);
    else if (DNS_NAME.test(address)) dnsNames.add(address.toLowerCase());
    else throw usageError(`invalid --address "${address}": give an IP address or a DNS name agents use to reach the coordinator (no port, no scheme)`);
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/**
 * Creates a cluster state folder (0700): CA, serving certificate, empty state log,
 * cluster.json. Refuses to touch a folder that already holds a cluster.
 */
export async function initCluster(options: InitClusterOptions): Promise<ClusterConfig> {
  const paths = statePaths(options.dir);
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw usageError(`invalid --port ${port}: use a TCP port between 1 and 65535`);
  }
  const existing = [paths.clusterJson, paths.caKey, paths.caCert, paths.stateLog, paths.tokens].filter((p) => existsSync(p));
  if (existing.length > 0) {
    throw new CliError(
      `a cluster already exists in ${paths.dir} (found ${existing.map((p) => basename(p)).join(', ')}); kumi init never overwrites it. ` +
        'Use it as it is (`kumi serve`), pick another --name or --state-dir, or move the folder away to start over (every enrolled agent must then enroll again)',
      ExitCode.STATE,
    );
  }
  const sans = serverSans(options.addresses);
  await ensurePrivateDir(paths.dir);
  await ensurePrivateDir(paths.logDir);

  const ca = await createCa(`kumi-${options.name}-ca`);
  const server = await issueServerCert(ca, { commonName: `kumi-${options.name}-coordinator`, ...sans });
  await createPrivateFile(paths.caKey, ca.keyPem);
  await createPrivateFile(paths.caCert, ca.certPem);
  await createPrivateFile(paths.serverKey, server.keyPem);
  await createPrivateFile(paths.serverCert, server.certPem);
  await StateStore.initialize(paths);

  const config: ClusterConfig = {
    apiVersion: 'kumi/v1',
    kind: 'Cluster',
    name: options.name,
    listen: { host: options.listenHost ?? '0.0.0.0', port },
    addresses: options.addresses,
    sans,
    caPin: caPin(ca.certPem),
    createdAt: (options.now ?? new Date()).toISOString(),
  };
  // Written last: a cluster.json means the folder is complete.
  await createPrivateFile(paths.clusterJson, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}
