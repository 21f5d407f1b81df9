import type { ClusterSpec } from '../spec';
import type { ClusterState } from '../state/cluster-state';
import { CliError, usageError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { parseHostPort } from '../spec/ipv4';
import type { AgentSource } from './agent-source';
import { renderUserData } from './user-data';

/** The user-data made for one host, and the token inside it (for the summary, never logged). */
export interface HostUserData {
  hostName: string;
  userData: string;
  tokenId: string;
  expiresAt: string;
}

/** What to generate user-data for. */
export interface GenerateUserDataOptions {
  spec: ClusterSpec;
  state: Pick<ClusterState, 'config' | 'tokens'>;
  /** Host names of the spec; all of them when undefined. */
  hosts?: string[];
  ttlMs: number;
  source: AgentSource;
  now?: Date;
}

/**
 * Mints a fresh single-use bootstrap token bound to each host (through the cluster's
 * token store, which keeps only its hash) and renders that host's user-data. The hosts
 * are checked before any token is minted, so a typo mints nothing.
 */
export async function generateUserData(options: GenerateUserDataOptions): Promise<HostUserData[]> {
  const { spec, state } = options;
  const known = spec.spec.hosts.map((host) => host.name);
  const hosts = options.hosts ?? known;
  const unknown = hosts.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw usageError(`host ${unknown.map((name) => `"${name}"`).join(', ')} is not in the spec (hosts: ${known.join(', ')}): use one of those names with --host, or --all`);
  }
  const coordinator = spec.spec.coordinator.address;
  checkCoordinatorCertificate(coordinator, state.config);
  const results: HostUserData[] = [];
  for (const hostName of hosts) {
    const created = await state.tokens.create({ ttlMs: options.ttlMs, host: hostName, now: options.now });
    const userData = renderUserData({
      clusterName: spec.metadata.name,
      hostName,
      coordinator,
      caPin: state.config.caPin,
      token: created.token,
      expiresAt: created.record.expiresAt,
      source: options.source,
    });
    results.push({ hostName, userData, tokenId: created.record.id, expiresAt: created.record.expiresAt });
  }
  return results;
}

/**
 * Throws unless the coordinator's serving certificate names the address the spec tells
 * agents to dial: after enrolling they check the name, and would never attach.
 */
function checkCoordinatorCertificate(coordinator: string, config: ClusterState['config']): void {
  const { host } = coordinatorHostPort(coordinator);
  const names = [...config.sans.ipAddresses, ...config.sans.dnsNames];
  if (!names.includes(host)) {
    throw new CliError(
      `spec.coordinator.address is ${coordinator}, but the coordinator's certificate of cluster "${config.name}" names only ${names.join(', ')}: ` +
        `agents would refuse it. Set spec.coordinator.address to one of those, or create the cluster state with \`kumi init --name ${config.name} --address ${host}\``,
      ExitCode.STATE,
    );
  }
}

/** spec.coordinator.address split into host and port (the spec schema has checked it already). */
function coordinatorHostPort(address: string): { host: string; port: number } {
  const parsed = parseHostPort(address);
  if ('reason' in parsed) throw usageError(`spec.coordinator.address: ${parsed.reason}; set it to the IPV4:PORT the hosts dial, e.g. 192.0.2.1:7443`);
  return parsed;
}

/** Things worth a warning that do not stop user-data from working. */
export function userDataWarnings(spec: ClusterSpec, config: ClusterState['config']): string[] {
  const warnings: string[] = [];
  const { port } = coordinatorHostPort(spec.spec.coordinator.address);
  if (port !== config.listen.port) {
    warnings.push(`spec.coordinator.address uses port ${port} but \`kumi serve\` listens on ${config.listen.port} by default: start it with --listen on port ${port}, or fix the spec`);
  }
  if (spec.metadata.name !== config.name) {
    warnings.push(`the spec is for cluster "${spec.metadata.name}" but the tokens come from cluster "${config.name}" (chosen with --cluster or --state-dir): make sure that is the coordinator these hosts should join`);
  }
  return warnings;
}
