import * as z from 'zod';

/** Where etcd.snapshot keeps snapshots on the member: the agent hands files out of this folder only. */
export const SNAPSHOT_DIR = '/var/lib/kumi/backups';

/** A snapshot file name: no path, `.db` as etcd's docs name them. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.db$/;

/** Parameters of `etcd.snapshot`, run on a control plane with a local etcd member. */
export const etcdSnapshotParams = z
  .object({
    /** File name under SNAPSHOT_DIR, e.g. "etcd-2026-12-06T0930Z.db" (the coordinator picks it, so a resumed run finds its snapshot). */
    name: z.string().regex(SNAPSHOT_NAME, 'must be a file name ending in .db (letters, digits, ".", "_", "-"), no folder'),
    /** The local member's client URL (kubeadm's etcd listens on 127.0.0.1:2379). */
    endpoint: z.string().regex(/^https:\/\/[^\s/]+$/, 'must be https://HOST:PORT').default('https://127.0.0.1:2379'),
  })
  .strict();
export type EtcdSnapshotParams = z.infer<typeof etcdSnapshotParams>;
