import type { Command } from 'commander';
import { parseDuration } from '../cli/duration';
import { parseListenAddress } from '../server/listen-address';
import { clusterSelection, collect } from './global-options';

interface RawCertsOptions {
  only: string[];
  skip: string[];
  json?: boolean;
  listen?: string;
  attachTimeout: string;
  detachGrace: string;
}

/** The options `kumi certs` and `kumi certs renew` share. */
function addCertsOptions(command: Command, json: string): Command {
  return command
    .argument('<spec>', 'cluster spec YAML file')
    .option('--json', json)
    .option('--only <path>', 'run only entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--skip <path>', 'leave out entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--listen <host:port>', 'TLS listen address for the agents (default: from cluster.json)')
    .option('--attach-timeout <duration>', 'how long to wait for every agent to attach', '10m')
    .option('--detach-grace <duration>', 'how long a step waits for its host to come back after a disconnect', '2m');
}

function commonOptions(spec: string, raw: RawCertsOptions, command: Command) {
  return {
    specPath: spec,
    only: raw.only,
    skip: raw.skip,
    json: raw.json === true,
    selection: clusterSelection(command),
    ...(raw.listen ? { listen: parseListenAddress(raw.listen) } : {}),
    attachTimeoutMs: parseDuration(raw.attachTimeout, '--attach-timeout'),
    detachGraceMs: parseDuration(raw.detachGrace, '--detach-grace'),
  };
}

/** `kumi certs SPEC` (expiry table) and `kumi certs renew SPEC`. */
export function register(program: Command): void {
  const certs = program
    .command('certs')
    .description(
      'run the certs plan (`kumi plan --for certs`): kubeadm certs check-expiration on every control plane, printed as one table with the earliest expiry marked (progress on stderr); `kumi certs renew SPEC` renews them',
    );
  addCertsOptions(certs, 'print the expiry of every certificate as JSON instead of a table').action(async (spec: string, raw: RawCertsOptions, cmd: Command) => {
    const { runCertsCheck } = await import('../up/run-certs');
    await runCertsCheck(commonOptions(spec, raw, cmd));
  });
  const renew = certs
    .command('renew')
    .description(
      'run the certs-renew plan (`kumi plan --for certs-renew`): on each control plane in turn, with the API healthy through the VIP and etcd healthy before it, kubeadm certs renew all, its static pods restarted (manifests moved out and back, as kubeadm documents), root\'s kubeconfig refreshed from the renewed admin.conf',
    )
    .option('--min-residual-days <days>', 'renew a control plane whose certificates have fewer days left than this (default 364: anything not renewed in the last day)')
    .option('--force', 'renew whatever is left');
  addCertsOptions(renew, 'print progress as NDJSON events').action(async (spec: string, _local: RawCertsOptions, cmd: Command) => {
    // `kumi certs` has the same options and commander gives them to it even after `renew`:
    // read both (their defaults are the same).
    const raw = cmd.optsWithGlobals<RawCertsOptions & { minResidualDays?: string; force?: boolean }>();
    const { usageError } = await import('../cli/cli-error');
    const { runCertsRenew } = await import('../up/run-certs');
    const days = raw.minResidualDays === undefined ? undefined : Number(raw.minResidualDays);
    if (days !== undefined && !(Number.isInteger(days) && days >= 0 && days <= 3650)) throw usageError(`--min-residual-days ${raw.minResidualDays}: use a whole number of days from 0 to 3650`);
    await runCertsRenew({ ...commonOptions(spec, raw, cmd), force: raw.force === true, ...(days !== undefined ? { minResidualDays: days } : {}) });
  });
}
