import type { CertExpiry } from '@kumi/steps';
import { usageError } from '../cli/cli-error';
import { printJson } from '../output/json-output';
import { buildCertsPlan, buildCertsRenewPlan, type Plan, type RunReport, SelectionError } from '../plan';
import type { ListenAddress } from '../server/listen-address';
import { loadSpecForCli } from '../spec/load-for-cli';
import type { ClusterSelection } from '../state/state-paths';
import { certsTable, earliestOf, type HostCerts } from './certs-table';
import { clusterDirForSpec } from './cluster-dir';
import { type RetryCommand, shellWord } from './failure-summary';
import { runWorkflow, sessionDeps } from './run-workflow';
import { openSession, sessionOptionsFor } from './session';

/** Options of `kumi certs` and `kumi certs renew`. */
export interface CertsOptions {
  specPath: string;
  only: string[];
  skip: string[];
  /** `kumi certs`: the table as JSON; `kumi certs renew`: progress as NDJSON. */
  json: boolean;
  selection: ClusterSelection;
  listen?: ListenAddress;
  attachTimeoutMs: number;
  detachGraceMs: number;
  /** Where the result goes (default stdout); progress of `kumi certs` goes to stderr. */
  out?: NodeJS.WriteStream;
}

/** Options of `kumi certs renew`. */
export interface CertsRenewCommandOptions extends CertsOptions {
  minResidualDays?: number;
  force: boolean;
}

function planOrUsage(build: () => Plan): Plan {
  try {
    return build();
  } catch (error) {
    if (error instanceof SelectionError) throw usageError(error.message);
    throw error;
  }
}

function retryOf(words: string[], options: CertsOptions): RetryCommand {
  const selection = [
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  const base = ['kumi', ...words, options.specPath, ...selection];
  return { resume: base.map(shellWord).join(' '), only: (path) => [...base, '--only', path].map(shellWord).join(' ') };
}

/**
 * `kumi certs`: the certs plan (kubeadm.certs-check on every control plane) run by the one
 * scheduler, then one table of every host's certificates with the earliest expiry marked
 * (or, with --json, the same as JSON). Progress goes to stderr, so stdout is the result.
 * Hosts that could be read are shown even when another failed; the exit code says it.
 */
export async function runCertsCheck(options: CertsOptions): Promise<HostCerts[]> {
  const { spec } = await loadSpecForCli(options.specPath);
  const plan = planOrUsage(() => buildCertsPlan(spec, { only: options.only, skip: options.skip }));
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const session = await openSession(sessionOptionsFor(dir, `kumi certs ${options.specPath}`, { ...options, json: false, out: process.stderr }));
  const hosts: HostCerts[] = [];
  const out = options.out ?? process.stdout;
  const print = () => {
    if (options.json) printJson({ cluster: spec.metadata.name, hosts, earliest: earliestOf(hosts) ?? null }, out);
    else out.write(certsTable(hosts));
  };
  try {
    const deps = sessionDeps(session, 'certs', {
      attachTimeoutMs: options.attachTimeoutMs,
      onEvent: (event) => {
        if (event.kind !== 'entry-end' || event.step !== 'kubeadm.certs-check' || event.outputs === undefined) return;
        const outputs = event.outputs as { certificates?: CertExpiry[]; authorities?: CertExpiry[] };
        hosts.push({ host: event.host, certificates: outputs.certificates ?? [], authorities: outputs.authorities ?? [] });
      },
    });
    await runWorkflow(session, { label: 'kumi certs', plan, deps, retry: retryOf(['certs'], options) });
    print();
    return hosts;
  } catch (error) {
    if (hosts.length > 0) print();
    throw error;
  } finally {
    await session.close();
  }
}

/**
 * `kumi certs renew`: the certs-renew plan (each control plane in turn: API and etcd
 * healthy, kubeadm.certs-renew, root's kubeconfig refreshed) run by the one scheduler.
 */
export async function runCertsRenew(options: CertsRenewCommandOptions): Promise<RunReport> {
  const { spec } = await loadSpecForCli(options.specPath);
  const plan = planOrUsage(() =>
    buildCertsRenewPlan(spec, { only: options.only, skip: options.skip, force: options.force, ...(options.minResidualDays !== undefined ? { minResidualDays: options.minResidualDays } : {}) }),
  );
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  const session = await openSession(sessionOptionsFor(dir, `kumi certs renew ${options.specPath}`, options));
  try {
    const deps = sessionDeps(session, 'certs-renew', { attachTimeoutMs: options.attachTimeoutMs });
    const words = ['certs', 'renew', ...(options.force ? ['--force'] : []), ...(options.minResidualDays !== undefined ? ['--min-residual-days', String(options.minResidualDays)] : [])];
    return await runWorkflow(session, { label: 'kumi certs renew', plan, deps, retry: retryOf(words, options), doneNote: 'check with `kumi certs SPEC`' });
  } finally {
    await session.close();
  }
}
