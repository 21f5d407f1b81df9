import type { Command } from 'commander';
import type { ClusterSpec } from '../spec';
import { collect } from './global-options';

interface PlanOptions {
  for: string;
  only: string[];
  skip: string[];
  host?: string;
  step: string[];
  role?: string;
  maxParallel?: string;
  params?: boolean;
  json?: boolean;
  unreachable?: boolean;
}

/** `kumi plan SPEC [--for up|reset|remove|upgrade|certs|certs-renew|backup]`, `kumi plan --for run --step S (--host a,b | --role R SPEC)`: a workflow's plan, printed, nothing run. */
export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'print the ordered stages, hosts and steps a workflow would run (runs nothing): `kumi up` for a spec by default, `--for reset` for `kumi reset`, `--for certs` / `certs-renew` / `backup` for `kumi certs`, `kumi certs renew`, `kumi backup`, `--for run --step S --host a,b` for `kumi run`',
    )
    .argument('[spec]', 'cluster spec YAML file (apiVersion kumi.dev/v1alpha1, kind Cluster); for --for run only with --role')
    .option('--for <workflow>', 'the workflow whose plan to print: up, reset, run, remove, upgrade (to the spec\'s kubernetes.version), certs, certs-renew or backup', 'up')
    .option('--step <id>', 'with --for run: a step to run (repeatable, in order)', collect, [])
    .option('--role <role>', 'with --for run: every host of the spec with this role')
    .option('--max-parallel <n>', 'with --for run: hosts working at once (default 50)')
    .option('--only <path>', 'keep only entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--skip <path>', 'leave out entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--host <name>', 'with --for reset: only this host, as `kumi reset --host` does; with --for backup: the control plane that takes the snapshot; with --for run or remove: the hosts, comma-separated')
    .option('--unreachable', 'with --for remove: the hosts are gone, as `kumi remove --unreachable` says (nothing runs on them)')
    .option('--params', "also print each entry's step parameters")
    .option('--json', 'print the plan as JSON')
    .action(async (specPath: string | undefined, options: PlanOptions, cmd: Command) => {
      const { loadSpecForCli } = await import('../spec/load-for-cli');
      const { buildPlan, buildResetPlan, formatPlan, SelectionError, WORKFLOWS } = await import('../plan');
      const { usageError } = await import('../cli/cli-error');
      if (!(WORKFLOWS as readonly string[]).includes(options.for)) throw usageError(`--for ${options.for}: no such workflow; use ${WORKFLOWS.join(', ')}`);
      if (options.unreachable && options.for !== 'remove') throw usageError(`--unreachable is for --for remove (a removal of gone hosts), not --for ${options.for}`);
      let plan;
      if (options.for === 'run') {
        plan = await runPlanFor(specPath, options);
      } else if (options.for === 'remove') {
        plan = await removePlanFor(specPath, options, cmd);
      } else {
        if (!specPath) throw usageError(`kumi plan --for ${options.for} needs the cluster spec file`);
        if (options.host !== undefined && !['reset', 'backup'].includes(options.for)) throw usageError(`--host narrows only the reset, backup and run plans: use --only STAGE/STEP@HOST for ${options.for}`);
        const { spec } = await loadSpecForCli(specPath);
        try {
          plan =
            options.for === 'reset'
              ? buildResetPlan(spec, { ...(options.host ? { host: options.host } : {}), only: options.only, skip: options.skip })
              : options.for === 'up'
                ? buildPlan(spec, { only: options.only, skip: options.skip, ...(await joinedMembers(spec.metadata.name, cmd)) })
                : await day2PlanFor(options.for, spec, options);
        } catch (error) {
          if (error instanceof SelectionError) throw usageError(error.message);
          throw error;
        }
      }
      process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, { params: options.params === true }));
    });
}

/** The plan of `kumi upgrade`, `kumi certs`, `kumi certs renew` or `kumi backup` (the snapshot named for now, as `kumi backup` names it). */
async function day2PlanFor(workflow: string, spec: ClusterSpec, options: PlanOptions) {
  const { buildBackupPlan, buildCertsPlan, buildCertsRenewPlan, buildUpgradePlan, snapshotName } = await import('../plan');
  const narrowed = { only: options.only, skip: options.skip };
  if (workflow === 'upgrade') return buildUpgradePlan(spec, narrowed);
  if (workflow === 'certs') return buildCertsPlan(spec, narrowed);
  if (workflow === 'certs-renew') return buildCertsRenewPlan(spec, narrowed);
  return buildBackupPlan(spec, { name: snapshotName(spec.metadata.name, new Date()), ...(options.host ? { host: options.host } : {}) });
}

/** The members the cluster's journal records, when there is a cluster state folder (a plan before `kumi init` has none). */
async function joinedMembers(name: string, cmd: Command) {
  const { clusterDirForSpec } = await import('../up/cluster-dir');
  const { membersOfClusterDir } = await import('../up/run-remove');
  const { clusterSelection } = await import('./global-options');
  try {
    return { members: membersOfClusterDir(clusterDirForSpec(clusterSelection(cmd), name)) };
  } catch {
    return {};
  }
}

/** The plan `kumi remove` would run for --host and the spec, from the cluster's journal. */
async function removePlanFor(specPath: string | undefined, options: PlanOptions, cmd: Command) {
  const { usageError } = await import('../cli/cli-error');
  const { loadSpecForCli } = await import('../spec/load-for-cli');
  const { clusterDirForSpec } = await import('../up/cluster-dir');
  const { membersOfClusterDir, removePlanFor: planOfRemoval } = await import('../up/run-remove');
  const { clusterSelection } = await import('./global-options');
  if (!specPath) throw usageError('kumi plan --for remove needs the cluster spec file');
  if (!options.host) throw usageError('kumi plan --for remove needs the hosts: --host a,b');
  const { spec } = await loadSpecForCli(specPath);
  const members = membersOfClusterDir(clusterDirForSpec(clusterSelection(cmd), spec.metadata.name));
  return planOfRemoval(spec, members, options.host.split(',').map((host) => host.trim()).filter(Boolean), { only: options.only, skip: options.skip, unreachable: options.unreachable === true });
}

/** The plan `kumi run` would run for --step and --host (or --role with the spec). */
async function runPlanFor(specPath: string | undefined, options: PlanOptions) {
  const { usageError } = await import('../cli/cli-error');
  const { hostTarget, resolveHosts } = await import('../client/host-targets');
  const { runPlanOf, DEFAULT_MAX_PARALLEL } = await import('../client/run-steps');
  if (options.step.length === 0) throw usageError('kumi plan --for run needs the steps: --step ID (repeatable)');
  const target = hostTarget({ host: options.host ? [options.host] : [], ...(options.role ? { role: options.role } : {}), ...(specPath ? { spec: specPath } : {}) });
  const hosts = await resolveHosts(target, async () => {
    throw usageError('kumi plan --for run takes --host or --role; --all needs kumi serve, use `kumi run --dry-run --all`');
  });
  const maxParallel = options.maxParallel === undefined ? DEFAULT_MAX_PARALLEL : Number(options.maxParallel);
  if (!Number.isInteger(maxParallel) || maxParallel < 1) throw usageError(`--max-parallel ${options.maxParallel}: use a whole number of hosts, 1 or more`);
  return runPlanOf({ cluster: 'attached hosts', steps: options.step.map((step) => ({ step, params: {} })), hosts, maxParallel });
}
