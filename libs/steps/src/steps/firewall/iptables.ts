import type { Action } from '../../plan';
import type { HostReader } from '../../step';
import type { PackageFamily } from '../common/packages';
import { installPackages, packageFamilyOf } from '../common/packages';
import type { ServiceState } from '../common/services';
import { serviceState } from '../common/services';
import type { ChainRule, KumiRule } from './iptables-rules';
import { changeArgv, chainChanges, parseChain, printedSpec } from './iptables-rules';
import type { FirewallParams } from './params';
import { rolePorts } from './role-ports';

/** What the plain-iptables backend reads. */
export interface IptablesFacts {
  backend: 'iptables';
  packages: PackageFamily;
  chains: { INPUT: ChainRule[]; FORWARD: ChainRule[] };
  saveFile: string;
  saved: string | undefined;
  /** Whether the boot-time loader is installed, and its service state. */
  loaderInstalled: boolean;
  loader: ServiceState;
}

const LOADER = {
  apt: { pkg: 'iptables-persistent', unit: 'netfilter-persistent', binary: '/usr/sbin/netfilter-persistent', saveFile: '/etc/iptables/rules.v4' },
  dnf: { pkg: 'iptables-services', unit: 'iptables', binary: '/usr/libexec/iptables/iptables.init', saveFile: '/etc/sysconfig/iptables' },
} as const;

/** The rules kumi keeps for these roles: role ports and VRRP in INPUT, the pod CIDR in FORWARD. */
export function wantedIptablesRules(params: FirewallParams): KumiRule[] {
  const ports = rolePorts(params);
  const rules: KumiRule[] = [];
  const dports = (list: string[]): string => list.map((port) => port.replace('-', ':')).join(',');
  if (ports.tcp.length > 0) {
    rules.push({ chain: 'INPUT', comment: 'kumi:ports-tcp', args: ['-p', 'tcp', '-m', 'multiport', '--dports', dports(ports.tcp), '-m', 'comment', '--comment', 'kumi:ports-tcp', '-j', 'ACCEPT'] });
  }
  if (ports.udp.length > 0) {
    rules.push({ chain: 'INPUT', comment: 'kumi:ports-udp', args: ['-p', 'udp', '-m', 'multiport', '--dports', dports(ports.udp), '-m', 'comment', '--comment', 'kumi:ports-udp', '-j', 'ACCEPT'] });
  }
  if (ports.vrrp) rules.push({ chain: 'INPUT', comment: 'kumi:vrrp', args: ['-p', 'vrrp', '-m', 'comment', '--comment', 'kumi:vrrp', '-j', 'ACCEPT'] });
  if (params.roles.includes('control-plane') || params.roles.includes('worker')) {
    for (const [flag, name] of [['-s', 'kumi:pod-network-src'], ['-d', 'kumi:pod-network-dst']] as const) {
      rules.push({ chain: 'FORWARD', comment: name, args: [flag, params.podCidr, '-m', 'comment', '--comment', name, '-j', 'ACCEPT'] });
    }
  }
  return rules;
}

/** Reads INPUT and FORWARD of the filter table, the saved rules and the boot-time loader. */
export async function readIptables(host: HostReader, params: FirewallParams): Promise<IptablesFacts> {
  const packages = packageFamilyOf(host.facts);
  const loader = LOADER[packages];
  const chain = async (name: 'INPUT' | 'FORWARD'): Promise<ChainRule[]> => {
    const result = await host.probe(['iptables', '-w', '-S', name]);
    if (result.exitCode !== 0) throw new Error(`iptables -S ${name} failed: ${result.stderr.trim()}`);
    return parseChain(result.stdout, name);
  };
  const saveFile = params.iptables.saveFile ?? loader.saveFile;
  return {
    backend: 'iptables',
    packages,
    chains: { INPUT: await chain('INPUT'), FORWARD: await chain('FORWARD') },
    saveFile,
    saved: await host.readFile(saveFile),
    loaderInstalled: await host.exists(loader.binary),
    loader: await serviceState(host, loader.unit),
  };
}

/**
 * Puts kumi's rules before the first REJECT/DROP of each chain as found on the host (never
 * at a fixed rule number), saves the rules for boot and makes sure the loader runs then.
 */
export function planIptables(facts: IptablesFacts, params: FirewallParams): { actions: Action[]; summary: string } {
  const wanted = wantedIptablesRules(params);
  const actions: Action[] = [];
  for (const chain of ['INPUT', 'FORWARD'] as const) {
    for (const change of chainChanges(chain, facts.chains[chain], wanted.filter((rule) => rule.chain === chain))) {
      const verb = change.op === 'delete' ? 'remove a misplaced or stale kumi rule from' : `${change.op === 'insert' ? `place before the first REJECT/DROP (rule ${change.position}) of` : 'append to'}`;
      actions.push({ kind: 'run', argv: changeArgv(change), why: `${verb} ${chain}` });
    }
  }
  const savedCurrent = wanted.every((rule) => facts.saved?.includes(`-A ${rule.chain} ${printedSpec(rule.args)}`) ?? false);
  const loader = LOADER[facts.packages];
  // The loader package creates the folder of the save file, so it comes first.
  if (params.iptables.installLoader && !facts.loaderInstalled) actions.push(installPackages(facts.packages, [loader.pkg], 'load the saved rules at boot'));
  if (actions.length > 0 || !savedCurrent) {
    actions.push({ kind: 'run', argv: ['iptables-save', '-f', facts.saveFile], why: `keep the rules across reboots (${facts.saveFile})` });
  }
  if (params.iptables.installLoader && !facts.loader.enabled) {
    actions.push({ kind: 'run', argv: ['systemctl', 'enable', loader.unit], why: 'load the saved rules at boot' });
  }
  return {
    actions,
    summary: `iptables already has kumi's ${wanted.length} rules before the first REJECT/DROP of INPUT and FORWARD, saved in ${facts.saveFile}`,
  };
}
