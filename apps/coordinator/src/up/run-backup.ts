import { basename, resolve } from 'node:path';
import type { EtcdSnapshotOutputs } from '@kumi/steps';
import { DEFAULT_KEEP } from '../backup/default-keep';
import { pruneSnapshots, sha256OfFile } from '../backup/prune-snapshots';
import { CliError, usageError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { buildBackupPlan, type Plan, SelectionError, snapshotName } from '../plan';
import type { ListenAddress } from '../server/listen-address';
import { loadSpecForCli } from '../spec/load-for-cli';
import type { ClusterSelection } from '../state/state-paths';
import { clusterDirForSpec } from './cluster-dir';
import { type RetryCommand, shellWord } from './failure-summary';
import { runWorkflow, sessionDeps } from './run-workflow';
import { openSession, sessionOptionsFor } from './session';

/** Options of `kumi backup`. */
export interface BackupOptions {
  specPath: string;
  /** The control plane whose member takes the snapshot (default: the first of the spec). */
  host?: string;
  /** Where the snapshot lands (default: `backups/` in the cluster's state folder). */
  outDir?: string;
  /** `--keep N`: how many of the cluster's snapshots to leave in that folder, the new one included (0: all). */
  keep: number;
  json: boolean;
  selection: ClusterSelection;
  listen?: ListenAddress;
  attachTimeoutMs: number;
  detachGraceMs: number;
  out?: NodeJS.WriteStream;
}

/** Where a backup went and what it holds. */
export interface BackupResult {
  cluster: string;
  host: string;
  path: string;
  sha256Path: string;
  sizeBytes: number;
  sha256: string;
  revision: number;
  totalKeys: number;
  /** Older snapshots deleted to keep --keep of them (with their .sha256). */
  pruned: string[];
}

/** `--keep`'s value: a whole number, 0 or more (exit 2 otherwise); DEFAULT_KEEP when not given. */
export function parseKeep(text: string | undefined): number {
  if (text === undefined) return DEFAULT_KEEP;
  const keep = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(keep)) throw usageError(`--keep ${text}: use a whole number of snapshots, 1 or more (0 keeps all)`);
  return keep;
}

function retryOf(options: BackupOptions): RetryCommand {
  const base = [
    'kumi',
    'backup',
    options.specPath,
    ...(options.host ? ['--host', options.host] : []),
    ...(options.outDir ? ['--out', options.outDir] : []),
    '--keep',
    String(options.keep),
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  // A new backup is a new snapshot: "resume" is running it again.
  return { resume: base.map(shellWord).join(' '), only: () => base.map(shellWord).join(' ') };
}

/**
 * `kumi backup`: the backup plan (etcd healthy, then etcd.snapshot on one control plane)
 * run by the one scheduler, then the coordinator fetches the snapshot from that agent
 * (FetchFile: chunks checked against the SHA-256 the step reported) into the state
 * folder's `backups/` (or --out), 0600 with a `.sha256` beside it, and says where it is.
 * Once the new file is verified on disk, older snapshots of the cluster in that folder are
 * deleted down to --keep (only files named as kumi backup names its own: prune-snapshots.ts).
 */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const { spec } = await loadSpecForCli(options.specPath);
  const name = snapshotName(spec.metadata.name, new Date());
  let plan: Plan;
  try {
    plan = buildBackupPlan(spec, { name, ...(options.host ? { host: options.host } : {}) });
  } catch (error) {
    if (error instanceof SelectionError) throw usageError(error.message);
    throw error;
  }
  const host = plan.stages.flatMap((stage) => stage.entries)[0]?.host ?? '';
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const session = await openSession(sessionOptionsFor(dir, `kumi backup ${options.specPath}`, options));
  try {
    let snapshot: EtcdSnapshotOutputs | undefined;
    const deps = sessionDeps(session, 'backup', {
      attachTimeoutMs: options.attachTimeoutMs,
      onEvent: (event) => {
        if (event.kind === 'entry-end' && event.step === 'etcd.snapshot' && event.outputs) snapshot = event.outputs as unknown as EtcdSnapshotOutputs;
      },
    });
    await runWorkflow(session, { label: 'kumi backup', plan, deps, retry: retryOf(options), doneNote: `fetching ${name} from ${host}` });
    if (snapshot === undefined) throw new CliError(`etcd.snapshot on ${host} reported no snapshot; see ${session.state.paths.logFile}`, ExitCode.FAILURE);
    const destDir = options.outDir ? resolve(options.outDir) : resolve(session.state.paths.dir, 'backups');
    let fetched;
    try {
      fetched = await session.coordinator.files.fetch({ host, name, destDir, expectedSha256: snapshot.sha256 });
    } catch (error) {
      throw new CliError(`the snapshot is on ${host} at ${snapshot.path}, but fetching it failed: ${(error as Error).message}; run kumi backup again`, ExitCode.FAILURE);
    }
    // Older snapshots go only once the new one is whole on disk: its bytes hash to what etcd.snapshot reported after `snapshot status` read it.
    const onDisk = await sha256OfFile(fetched.path);
    if (onDisk !== snapshot.sha256) throw new CliError(`${fetched.path} hashes to ${onDisk}, not the ${snapshot.sha256} ${host} reported; no older snapshot was removed. Run kumi backup again`, ExitCode.FAILURE);
    // The new snapshot is verified: a prune problem is a warning, the result is still printed.
    const pruned = await pruneSnapshots(destDir, spec.metadata.name, options.keep, name, (text) =>
      session.progress.emit({ kind: 'PROGRESS', stage: 'snapshot', host, step: '', text: `warning: ${text}` }),
    );
    const result: BackupResult = {
      cluster: spec.metadata.name,
      host,
      path: fetched.path,
      sha256Path: fetched.sha256Path,
      sizeBytes: fetched.sizeBytes,
      sha256: fetched.sha256,
      revision: snapshot.status.revision,
      totalKeys: snapshot.status.totalKey,
      pruned,
    };
    const out = options.out ?? process.stdout;
    // After NDJSON progress, the result is one more line (kind BACKUP), so the stream stays line by line.
    if (options.json) out.write(`${JSON.stringify({ kind: 'BACKUP', ...result })}\n`);
    else {
      out.write(
        `kumi backup: etcd snapshot of ${result.cluster} from ${host} (revision ${result.revision}, ${result.totalKeys} keys)\n` +
          `  file:   ${result.path} (${result.sizeBytes} bytes, 0600)\n  sha256: ${result.sha256} (check: cd ${destDir} && sha256sum -c ${shellWord(`${name}.sha256`)})\n` +
          (pruned.length > 0 ? `  pruned: ${pruned.length} older snapshot(s) (--keep ${options.keep}): ${pruned.map((path) => basename(path)).join(', ')}\n` : '') +
          `  restore: see docs/backup-restore.md\n`,
      );
    }
    return result;
  } finally {
    await session.close();
  }
}
