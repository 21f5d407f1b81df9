/** What `etcdutl snapshot status -w json` (or etcdctl's before v3.6) reports about a snapshot file. */
export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/**
 * Parses the JSON of `snapshot status -w json` (etcd-io/etcd etcdutl/snapshot/v3_snapshot.go
 * Status: {"hash","revision","totalKey","totalSize"} plus "version" from v3.6). Undefined when
 * it is not that (a broken or half-written file makes the command fail instead).
 */
export function parseSnapshotStatus(text: string): SnapshotStatus | undefined {
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    const numbers = ['hash', 'revision', 'totalKey', 'totalSize'].map((key) => doc[key]);
    if (!numbers.every((value) => typeof value === 'number')) return undefined;
    const [hash, revision, totalKey, totalSize] = numbers as number[];
    return { hash: hash as number, revision: revision as number, totalKey: totalKey as number, totalSize: totalSize as number };
  } catch {
    return undefined;
  }
}
