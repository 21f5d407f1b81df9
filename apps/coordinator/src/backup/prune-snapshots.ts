import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotNamePattern } from '../plan';

/** The SHA-256 of a file's bytes, read from disk. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Which of `names` (a folder's entries) to delete so that `keep` snapshots of `cluster` are
 * left, `newest` (the one just taken) among them: only names kumi backup gives its own
 * snapshots (snapshotName: etcd-CLUSTER-UTCTIME.db), oldest first by that time. Anything
 * else in the folder (another cluster's snapshots, the user's files) is never a candidate.
 */
export function snapshotsToPrune(names: readonly string[], cluster: string, keep: number, newest: string): string[] {
  if (keep <= 0) return [];
  const pattern = snapshotNamePattern(cluster);
  // The UTC time in the name has a fixed width, so the name sorts by time.
  const others = names.filter((name) => pattern.test(name) && name !== newest).sort();
  return others.slice(0, Math.max(0, others.length - (keep - 1)));
}

/**
 * Deletes the snapshots snapshotsToPrune names from `dir`, each with its `.sha256` beside it.
 * Called only once the new snapshot is in `dir` and verified, so a file that cannot be deleted
 * is warned about, not thrown: the backup itself succeeded. The `.db` goes first, so a
 * snapshot that could not be deleted keeps its checksum beside it.
 * Returns the deleted snapshots' paths.
 */
export async function pruneSnapshots(dir: string, cluster: string, keep: number, newest: string, warn: (text: string) => void): Promise<string[]> {
  let doomed: string[];
  try {
    doomed = snapshotsToPrune(await readdir(dir), cluster, keep, newest);
  } catch (error) {
    warn(`could not list ${dir} to prune older snapshots: ${(error as Error).message}`);
    return [];
  }
  const pruned: string[] = [];
  for (const name of doomed) {
    try {
      await rm(join(dir, name), { force: true });
    } catch (error) {
      warn(`could not delete the older snapshot ${join(dir, name)} (kept, with its .sha256): ${(error as Error).message}`);
      continue;
    }
    pruned.push(join(dir, name));
    await rm(join(dir, `${name}.sha256`), { force: true }).catch((error: Error) => warn(`deleted ${join(dir, name)} but not its checksum file: ${error.message}`));
  }
  return pruned;
}
