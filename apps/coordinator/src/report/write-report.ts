import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { usageError } from '../cli/cli-error';
import { Journal } from '../journal/journal';
import { ClusterLock } from '../journal/lock';
import { SecretRegistry } from '../journal/secret-registry';
import { buildModel, type BuildModel } from './build-model';
import { renderReportPage } from './render-html';

/** The folder of a cluster's reports, inside its state folder. */
export const REPORTS_DIR = 'reports';

/** Options of writeReport. */
export interface WriteReportOptions {
  /** The cluster's state folder (its journal is there). */
  dir: string;
  cluster: string;
  /** Where to write; default `<dir>/reports/<run>.html`. */
  out?: string;
  /** Which run; default the latest. */
  run?: string;
  /**
   * Whether the run still goes on; default: a `kumi up` holds the cluster's lock. `kumi up`
   * itself passes false when it ends.
   */
  open?: boolean;
  /** Black and white patterns only. */
  mono: boolean;
  /** Known secret values (a `kumi up` in this process knows the ones it minted). */
  secrets?: SecretRegistry;
}

/** The model of a cluster's run, from its journal; a run it does not hold is a usage error. */
export function reportModel(options: Pick<WriteReportOptions, 'dir' | 'run' | 'open'>): BuildModel {
  const journal = new Journal(options.dir, new SecretRegistry());
  const open = options.open ?? existsSync(new ClusterLock(options.dir).file);
  const records = journal.read();
  if (options.run && !records.some((record) => record.run === options.run)) {
    throw usageError(`no run "${options.run}" in the journal: \`kumi status\` shows the cluster; leave --run out for the latest run`);
  }
  return buildModel(records, { open, ...(options.run ? { run: options.run } : {}) });
}

/**
 * Writes the self-contained HTML report of a run (atomically: a reader never sees half a
 * page) and returns where, with the model it shows.
 */
export function writeReport(options: WriteReportOptions): { file: string; model: BuildModel } {
  const model = reportModel(options);
  const file = options.out ?? join(options.dir, REPORTS_DIR, `${(model.run || 'empty').replace(/[^A-Za-z0-9-]/g, '_')}.html`);
  writeHtml(file, renderReportPage(model, { cluster: options.cluster, mono: options.mono, ...(options.secrets ? { secrets: options.secrets } : {}) }));
  return { file, model };
}

/** Writes a page atomically (a reader never sees half of it), creating its folder. */
export function writeHtml(file: string, html: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, html, { mode: 0o644 });
  renameSync(partial, file);
}
