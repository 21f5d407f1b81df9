import { usageError } from '../cli/cli-error';
import { buildResetPlan, type Plan, type RunReport, SelectionError } from '../plan';
import { loadSpecForCli } from '../spec/load-for-cli';
import { clusterDirForSpec } from './cluster-dir';
import { confirm } from './confirm';
import { type RetryCommand, shellWord } from './failure-summary';
import { runWorkflow, sessionDeps } from './run-workflow';
import { openSession, sessionOptionsFor, type WorkflowCommandOptions } from './session';

/** Options of `kumi reset`. */
export interface ResetOptions extends WorkflowCommandOptions {
  /** Only this host (a control plane, worker or load balancer of the spec). */
  host?: string;
}

/** The reset plan of the spec, narrowed as the options say (exit 2 for a host or pattern it lacks). */
function resetPlanFor(spec: Parameters<typeof buildResetPlan>[0], options: ResetOptions): Plan {
  try {
    return buildResetPlan(spec, { ...(options.host ? { host: options.host } : {}), only: options.only ?? [], skip: options.skip ?? [] });
  } catch (error) {
    if (error instanceof SelectionError) throw usageError(error.message);
    throw error;
  }
}

/** What the confirmation says the reset destroys. */
function describeDamage(plan: Plan): string {
  const hostsOf = (step: string) => [...new Set(plan.stages.flatMap((stage) => stage.entries.filter((entry) => entry.step === step).map((entry) => entry.host)))];
  const nodes = hostsOf('kubeadm.reset');
  const loadBalancers = [...new Set([...hostsOf('lb.keepalived'), ...hostsOf('lb.haproxy')])];
  return [
    ...(nodes.length > 0 ? [`run kubeadm reset on ${nodes.join(', ')}: their Kubernetes state (and etcd data on control planes) is deleted`] : []),
    ...(loadBalancers.length > 0 ? [`stop HAProxy and keepalived on ${loadBalancers.join(', ')} and remove kumi's configuration of them (the VIP goes away)`] : []),
  ].join(', and ');
}

/** `kumi reset` again for one host, or for everything. */
function resetRetry(options: ResetOptions): RetryCommand {
  const selection = [
    ...(options.selection.stateDir ? ['--state-dir', options.selection.stateDir] : []),
    ...(options.selection.cluster ? ['--cluster', options.selection.cluster] : []),
  ];
  const base = ['kumi', 'reset', options.specPath, ...selection];
  const narrowed = [...(options.host ? ['--host', options.host] : []), ...(options.only ?? []).flatMap((p) => ['--only', p]), ...(options.skip ?? []).flatMap((p) => ['--skip', p])];
  return {
    resume: [...base, ...narrowed, '--yes'].map(shellWord).join(' '),
    only: (path) => [...base, '--only', path, '--yes'].map(shellWord).join(' '),
  };
}

/**
 * `kumi reset`: the reset plan (buildResetPlan: workers under the spec's cap, control
 * planes one at a time in reverse order, load balancers last) run by the one scheduler.
 * Asks on a terminal unless --yes; without a terminal --yes is required. A host whose
 * entries all succeeded is marked reset in the journal, so the next `kumi up` starts
 * over for it.
 */
export async function runReset(options: ResetOptions): Promise<RunReport> {
  const { spec } = await loadSpecForCli(options.specPath);
  const plan = resetPlanFor(spec, options);
  const dir = clusterDirForSpec(options.selection, spec.metadata.name);
  if (!options.yes) {
    const answer = await confirm(`kumi reset will ${describeDamage(plan)}. Continue?`, options.confirmIo);
    if (answer === 'no-terminal') throw usageError('kumi reset destroys cluster state and there is no terminal to confirm on: pass --yes to confirm');
    if (!answer) throw usageError('not confirmed; nothing was reset');
  }
  const session = await openSession(sessionOptionsFor(dir, `kumi reset ${options.specPath}`, options));
  const notes = new Map<string, string[]>();
  try {
    const deps = sessionDeps(session, 'reset', {
      attachTimeoutMs: options.attachTimeoutMs,
      onEvent: (event) => {
        if (event.kind === 'entry-end' && (event.status === 'done' || event.status === 'noop')) {
          notes.set(event.host, [...(notes.get(event.host) ?? []), event.status === 'noop' ? `${event.step}: ${event.reason ?? 'nothing to do'}` : `${event.step} done`]);
        }
        // From here on `kumi up` starts over for this host.
        if (event.kind === 'host-end' && event.ok && event.stage !== 'attach') session.journal.markReset(session.run, event.host, (notes.get(event.host) ?? []).join('; '));
      },
    });
    return await runWorkflow(session, { label: 'kumi reset', plan, deps, retry: resetRetry(options), doneNote: 'the next `kumi up` starts over for these hosts' });
  } finally {
    await session.close();
  }
}
