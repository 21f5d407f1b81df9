import { usageError } from '../cli/cli-error';
import { hasRole } from '../spec/topology';
import type { HostRole } from '../spec/schema';

/** Which hosts a `kumi run` addresses: exactly one of these. */
export type HostTarget =
  | { kind: 'hosts'; hosts: string[] }
  /** The spec's hosts with this role: `kumi serve` does not know roles, the spec does. */
  | { kind: 'role'; role: HostRole; specPath: string }
  /** Every agent attached to `kumi serve` now. */
  | { kind: 'all' };

const ROLE_NAMES: Record<string, HostRole> = {
  worker: 'worker',
  'control-plane': 'control-plane',
  loadbalancer: 'loadbalancer',
  'load-balancer': 'loadbalancer',
};

/** Host names from repeatable, comma-separated --host values, in order, without duplicates. */
export function hostList(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((value) => value.split(',')).map((name) => name.trim()).filter(Boolean))];
}

/**
 * The target of --host / --role (with --spec) / --all; exactly one must be given.
 * Throws a usage error naming the fix otherwise.
 */
export function hostTarget(options: { host: string[]; role?: string; all?: boolean; spec?: string }): HostTarget {
  const given = [options.host.length > 0 && '--host', options.role !== undefined && '--role', options.all === true && '--all'].filter(Boolean);
  if (given.length !== 1) {
    throw usageError(given.length === 0 ? 'say where to run: --host a,b, --role worker (with --spec FILE) or --all' : `use one of ${given.join(', ')}, not several`);
  }
  if (options.role !== undefined) {
    const role = ROLE_NAMES[options.role];
    if (!role) throw usageError(`unknown --role "${options.role}": use worker, control-plane or loadbalancer`);
    if (!options.spec) throw usageError('--role needs the cluster spec, which says each host\'s roles: pass --spec FILE');
    return { kind: 'role', role, specPath: options.spec };
  }
  if (options.all) return { kind: 'all' };
  return { kind: 'hosts', hosts: hostList(options.host) };
}

/** The host names of a target; `attached` lists the agents attached now (for --all). */
export async function resolveHosts(target: HostTarget, attached: () => Promise<string[]>): Promise<string[]> {
  switch (target.kind) {
    case 'hosts':
      return target.hosts;
    case 'all': {
      const hosts = [...(await attached())].sort();
      if (hosts.length === 0) throw usageError('--all: no agent is attached to kumi serve; see `kumi agents`');
      return hosts;
    }
    case 'role': {
      const { loadSpecForCli } = await import('../spec/load-for-cli');
      const { spec } = await loadSpecForCli(target.specPath);
      const hosts = spec.spec.hosts.filter((host) => hasRole(host, target.role)).map((host) => host.name);
      if (hosts.length === 0) throw usageError(`--role ${target.role}: ${spec.metadata.name}'s spec has no such host`);
      return hosts;
    }
  }
}
