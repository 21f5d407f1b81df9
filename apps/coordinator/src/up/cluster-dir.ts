import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { clustersRoot, existingClusterDir, type ClusterSelection } from '../state/state-paths';

/**
 * The state folder a spec-driven command works on: --state-dir / --cluster (or their
 * environment variables) when given, else ~/.kumi/clusters/<metadata.name> when it
 * exists, else the only cluster there is (with existingClusterDir's clear errors).
 */
export function clusterDirForSpec(selection: ClusterSelection, specName: string, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = selection.stateDir ?? selection.cluster ?? env.KUMI_STATE_DIR ?? env.KUMI_CLUSTER;
  if (explicit === undefined) {
    const named = join(clustersRoot(env), specName);
    if (existsSync(join(named, 'cluster.json'))) return named;
  }
  return existingClusterDir(selection, env);
}
