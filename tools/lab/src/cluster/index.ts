// The lab with a kumi cluster on it: coordinator state, kumi serve at 192.0.2.1, real agents in every host.
export { startLabCluster, AGENT_CONFIG_PATH, AGENT_LOG_PATH, AGENT_SERVICE, AGENT_STATE_DIR, COORDINATOR_PORT } from './lab-cluster';
export { labClusterFixture, type LabClusterFixture } from './lab-cluster-fixture';
export type { LabCluster, LabClusterOptions, LabClusterTimings, ListedAgent } from './lab-cluster';
export { ensureKumiBundles, BUNDLE_CACHE_DIR, REPO_ROOT, type KumiBundles } from './kumi-bundles';
export { callKumi, type KumiCallOptions, type KumiCallResult } from './kumi-cli';
