import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, usageError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';

/** Files inside one cluster's state folder. */
export interface StatePaths {
  dir: string;
  clusterJson: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** The state log: tokens and enrolled hosts (see state-store.ts). */
  stateLog: string;
  /** tokens.json and hosts.json of older kumi versions, converted into the log once. */
  tokens: string;
  hosts: string;
  /** Held by the one process that owns the state (see state-lock.ts). */
  lock: string;
  controlSocket: string;
  logDir: string;
  logFile: string;
}

/** How a command picks its cluster: flags first, then KUMI_STATE_DIR / KUMI_CLUSTER. */
export interface ClusterSelection {
  /** --state-dir: the cluster folder itself. */
  stateDir?: string;
  /** --cluster: a name under ~/.kumi/clusters. */
  cluster?: string;
}

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The folder that holds one subfolder per cluster: ~/.kumi/clusters. */
export function clustersRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), '.kumi', 'clusters');
}

/** Throws a usage error unless name is a DNS-label-like cluster name. */
export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw usageError(
      `invalid cluster name "${name}": use lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** The paths of the state folder at dir. */
export function statePaths(dir: string): StatePaths {
  const abs = resolve(dir);
  return {
    dir: abs,
    clusterJson: join(abs, 'cluster.json'),
    caCert: join(abs, 'ca.crt'),
    caKey: join(abs, 'ca.key'),
    serverCert: join(abs, 'server.crt'),
    serverKey: join(abs, 'server.key'),
    stateLog: join(abs, 'state.jsonl'),
    tokens: join(abs, 'tokens.json'),
    hosts: join(abs, 'hosts.json'),
    lock: join(abs, 'state.lock'),
    controlSocket: join(abs, 'control.sock'),
    logDir: join(abs, 'logs'),
    logFile: join(abs, 'logs', 'kumi.log'),
  };
}

/** Where `kumi init --name NAME` creates its state folder. */
export function newClusterDir(name: string, selection: ClusterSelection, env: NodeJS.ProcessEnv = process.env): string {
  checkClusterName(name);
  const explicit = selection.stateDir ?? env.KUMI_STATE_DIR;
  return explicit ? resolve(explicit) : join(clustersRoot(env), name);
}

/**
 * The state folder of an existing cluster. Flags win over environment variables:
 * --state-dir, else ~/.kumi/clusters/<--cluster>, else KUMI_STATE_DIR, else
 * ~/.kumi/clusters/<KUMI_CLUSTER>, else the only cluster there is.
 */
export function existingClusterDir(selection: ClusterSelection, env: NodeJS.ProcessEnv = process.env): string {
  const dir = selectedClusterDir(selection, env);
  if (!existsSync(join(dir, 'cluster.json'))) {
    throw new CliError(
      `no kumi cluster state in ${dir} (cluster.json missing): create one with \`kumi init --name NAME\`, or pick another with --cluster / --state-dir`,
      ExitCode.STATE,
    );
  }
  return dir;
}

function selectedClusterDir(selection: ClusterSelection, env: NodeJS.ProcessEnv): string {
  if (selection.stateDir) return resolve(selection.stateDir);
  if (selection.cluster) return join(clustersRoot(env), checkClusterName(selection.cluster));
  if (env.KUMI_STATE_DIR) return resolve(env.KUMI_STATE_DIR);
  return join(clustersRoot(env), checkClusterName(env.KUMI_CLUSTER ?? onlyCluster(env)));
}

function onlyCluster(env: NodeJS.ProcessEnv): string {
  const root = clustersRoot(env);
  const names = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'cluster.json'))) : [];
  if (names.length === 1) return names[0] as string;
  if (names.length === 0) {
    throw new CliError(`no kumi cluster in ${root}: create one with \`kumi init --name NAME\``, ExitCode.STATE);
  }
  throw usageError(`several clusters in ${root} (${names.join(', ')}): pick one with --cluster NAME or KUMI_CLUSTER`);
}
