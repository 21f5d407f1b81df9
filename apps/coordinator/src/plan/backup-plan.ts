import { type ClusterSpec, topologyOf } from '../spec';
import { entry } from './entry';
import { etcdHealthy } from './readiness';
import { SelectionError } from './select';
import { attachStage } from './stages';
import type { Plan } from './types';

/** What `kumi backup` snapshots where. */
export interface BackupPlanOptions {
  /** The control plane whose etcd member takes the snapshot (default: the first of the spec). */
  host?: string;
  /** The snapshot's file name (etcd.snapshot's `name`). */
  name: string;
}

/** The file name of a snapshot taken at `at`: the cluster and the UTC time, e.g. "etcd-prod-20261206T093000Z.db". */
export function snapshotName(cluster: string, at: Date): string {
  return `etcd-${cluster}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}.db`;
}

/** What every snapshotName of `cluster` matches, and nothing else (what `kumi backup --keep` may delete). */
export function snapshotNamePattern(cluster: string): RegExp {
  return new RegExp(`^etcd-${cluster.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}T\\d{6}Z\\.db$`);
}

/**
 * The plan of `kumi backup`: once every etcd member is healthy, `etcdctl snapshot save` on
 * one control plane's local member (etcd.snapshot, checked with `snapshot status`). The
 * coordinator then fetches the file into its state folder (run-backup.ts). Throws
 * SelectionError for a host that is not a control plane of the spec.
 */
export function buildBackupPlan(spec: ClusterSpec, options: BackupPlanOptions): Plan {
  const { controlPlanes, endpoint } = topologyOf(spec);
  const host = options.host === undefined ? controlPlanes[0] : controlPlanes.find((candidate) => candidate.name === options.host);
  if (host === undefined) {
    throw new SelectionError(`"${options.host}" is not a control plane of ${spec.metadata.name}: only a control plane has an etcd member; pick one of ${controlPlanes.map((cp) => cp.name).join(', ')}`);
  }
  return {
    workflow: 'backup',
    cluster: spec.metadata.name,
    stages: [
      attachStage([host.name]),
      {
        id: 'snapshot',
        title: `Snapshot etcd on ${host.name} (etcdctl snapshot save, then snapshot status); the coordinator then fetches it`,
        concurrency: { kind: 'one-at-a-time' },
        before: [etcdHealthy(host, endpoint)],
        entries: [entry('snapshot', host, 'etcd.snapshot', { name: options.name })],
        after: [],
      },
    ],
  };
}
