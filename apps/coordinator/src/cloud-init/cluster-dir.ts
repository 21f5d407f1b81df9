import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { clustersRoot, existingClusterDir, type ClusterSelection } from '../state/state-paths';

/**
 * The state folder whose tokens go into the user-data: --state-dir / KUMI_STATE_DIR,
 * then --cluster / KUMI_CLUSTER, then the cluster named like the spec when it exists,
 * then the only cluster there is.
 */
export function cloudInitClusterDir(selection: ClusterSelection, specName: string, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = selection.stateDir ?? env.KUMI_STATE_DIR ?? selection.cluster ?? env.KUMI_CLUSTER;
  if (explicit === undefined && existsSync(join(clustersRoot(env), specName, 'cluster.json'))) {
    return existingClusterDir({ cluster: specName }, env);
  }
  return existingClusterDir(selection, env);
}
