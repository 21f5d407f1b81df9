import type { Action } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';
import type { FirewallParams } from './params';
import { portSpecs, rolePorts } from './role-ports';

/** Interfaces flannel creates; unassigned they would fall into the default zone. */
export const POD_INTERFACES = ['cni0', 'flannel.1'] as const;
/** firewalld's rich rule letting VRRP adverts in (keepalived). */
export const VRRP_RICH_RULE = 'rule protocol value="vrrp" accept';

/** One view (permanent or runtime) of the zones kumi touches. */
export interface FirewalldView {
  ports: string[];
  richRules: string[];
  trustedInterfaces: string[];
  trustedSources: string[];
}

/** Where kumi records what it added to firewalld, so kubeadm.reset removes exactly that. */
export const FIREWALLD_RECORD = '/var/lib/kumi/firewalld-added.json';

/** What kumi added to firewalld's permanent configuration (never what was there before). */
export interface FirewalldRecord {
  zone: string;
  ports: string[];
  richRules: string[];
  trustedInterfaces: string[];
  trustedSources: string[];
}

/** What the firewalld backend reads. */
export interface FirewalldFacts {
  backend: 'firewalld';
  zone: string;
  permanent: FirewalldView;
  runtime: FirewalldView;
  /** kumi's earlier additions, when any. */
  record: FirewalldRecord | undefined;
}

/** Parses the record file; undefined when missing or unreadable. */
export function parseFirewalldRecord(text: string | undefined): FirewalldRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<FirewalldRecord>;
    const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
    return { zone: String(parsed.zone ?? 'public'), ports: list(parsed.ports), richRules: list(parsed.richRules), trustedInterfaces: list(parsed.trustedInterfaces), trustedSources: list(parsed.trustedSources) };
  } catch {
    return undefined;
  }
}

/** Reads the zone's ports and rules and the trusted zone, permanent and runtime. */
export async function readFirewalld(host: HostReader, params: FirewallParams): Promise<FirewalldFacts> {
  const state = await host.probe(['firewall-cmd', '--state']);
  if (state.exitCode !== 0 || state.stdout.trim() !== 'running') {
    throw new StepFailure(
      'CHECK_FAILED',
      `firewalld is not running on ${host.facts.hostName} (${(state.stdout + state.stderr).trim() || `exit ${state.exitCode}`}). ` +
        'Fix: start it (systemctl enable --now firewalld) or choose firewall backend iptables, nftables or none.',
    );
  }
  const zone = params.zone ?? (await list(host, ['--get-default-zone']))[0] ?? 'public';
  const view = async (permanent: string[]): Promise<FirewalldView> => ({
    ports: await list(host, [...permanent, `--zone=${zone}`, '--list-ports']),
    richRules: (await host.probe(['firewall-cmd', ...permanent, `--zone=${zone}`, '--list-rich-rules'])).stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0),
    trustedInterfaces: await list(host, [...permanent, '--zone=trusted', '--list-interfaces']),
    trustedSources: await list(host, [...permanent, '--zone=trusted', '--list-sources']),
  });
  return { backend: 'firewalld', zone, permanent: await view(['--permanent']), runtime: await view([]), record: parseFirewalldRecord(await host.readFile(FIREWALLD_RECORD)) };
}

/**
 * `firewall-cmd --permanent --zone=ZONE FLAG=v1 FLAG=v2 ...`, undefined without values.
 * firewall-cmd takes one kind of zone option per call (they form one exclusive argparse
 * group: "--add-source: not allowed with argument --change-interface"); the same option
 * may repeat. So every kind of change is a command of its own.
 */
export function firewallCmdArgv(zone: string, flag: string, values: readonly string[]): string[] | undefined {
  return values.length === 0 ? undefined : ['firewall-cmd', '--permanent', `--zone=${zone}`, ...values.map((value) => `${flag}=${value}`)];
}

/** firewall-cmd --permanent changes for what is missing, then a reload when anything differs. */
export function planFirewalld(facts: FirewalldFacts, params: FirewallParams): { actions: Action[]; summary: string } {
  const ports = rolePorts(params);
  const wanted = wantedView(params);
  const actions: Action[] = [];
  const missingPorts = portSpecs(ports).filter((port) => !facts.permanent.ports.includes(port));
  const missingRules = wanted.richRules.filter((rule) => !facts.permanent.richRules.includes(rule));
  const missingInterfaces = wanted.trustedInterfaces.filter((name) => !facts.permanent.trustedInterfaces.includes(name));
  const missingSources = wanted.trustedSources.filter((cidr) => !facts.permanent.trustedSources.includes(cidr));
  const podWhy = 'let pod traffic through: pod interfaces and networks in the trusted zone (firewalld rejects forwarded VXLAN traffic otherwise)';
  for (const [scope, flag, values, why] of [
    [facts.zone, '--add-port', missingPorts, `open ${missingPorts.join(', ')} in zone ${facts.zone}`],
    [facts.zone, '--add-rich-rule', missingRules, `let VRRP adverts (keepalived) in through zone ${facts.zone}`],
    ['trusted', '--change-interface', missingInterfaces, podWhy],
    ['trusted', '--add-source', missingSources, podWhy],
  ] as const) {
    const argv = firewallCmdArgv(scope, flag, values);
    if (argv !== undefined) actions.push({ kind: 'run', argv, why });
  }
  const added = missingPorts.length + missingRules.length + missingInterfaces.length + missingSources.length > 0;
  if (added) {
    const before = facts.record ?? { zone: facts.zone, ports: [], richRules: [], trustedInterfaces: [], trustedSources: [] };
    const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])];
    const record: FirewalldRecord = {
      zone: facts.zone,
      ports: union(before.ports, missingPorts),
      richRules: union(before.richRules, missingRules),
      trustedInterfaces: union(before.trustedInterfaces, missingInterfaces),
      trustedSources: union(before.trustedSources, missingSources),
    };
    if (JSON.stringify(record) !== JSON.stringify(facts.record)) {
      actions.push({ kind: 'write', path: FIREWALLD_RECORD, content: `${JSON.stringify(record, null, 2)}\n`, why: 'remember what kumi added, so a reset removes exactly that' });
    }
  }
  const runtimeBehind = !covers(facts.runtime, wanted);
  if (added || runtimeBehind) {
    actions.push({
      kind: 'run',
      argv: ['firewall-cmd', '--reload'],
      why: added ? 'apply the permanent configuration' : 'the running firewall lacks rules the permanent configuration has',
    });
  }
  return {
    actions,
    summary: `firewalld zone ${facts.zone} already opens ${portSpecs(ports).join(' ')}${ports.vrrp ? ' and VRRP' : ''}; trusted zone holds ${[...wanted.trustedInterfaces, ...wanted.trustedSources].join(', ') || 'nothing kumi needs'}`,
  };
}

function wantedView(params: FirewallParams): FirewalldView {
  const ports = rolePorts(params);
  const isNode = params.roles.includes('control-plane') || params.roles.includes('worker');
  return {
    ports: portSpecs(ports),
    richRules: ports.vrrp ? [VRRP_RICH_RULE] : [],
    trustedInterfaces: isNode ? [...POD_INTERFACES] : [],
    trustedSources: isNode ? [params.podCidr, params.serviceCidr] : [],
  };
}

function covers(view: FirewalldView, wanted: FirewalldView): boolean {
  return (
    wanted.ports.every((port) => view.ports.includes(port)) &&
    wanted.richRules.every((rule) => view.richRules.includes(rule)) &&
    wanted.trustedInterfaces.every((name) => view.trustedInterfaces.includes(name)) &&
    wanted.trustedSources.every((cidr) => view.trustedSources.includes(cidr))
  );
}

async function list(host: HostReader, args: string[]): Promise<string[]> {
  const result = await host.probe(['firewall-cmd', ...args]);
  if (result.exitCode !== 0) return [];
  return result.stdout.split(/\s+/).filter((item) => item.length > 0);
}
