import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import { criSocketFor } from '../common/cri-socket';
import { APISERVER_MANIFEST, KUBELET_CONF, ADMIN_CONF, readKubeadmState } from '../common/kubeadm-state';
import type { FirewalldRecord } from '../firewall/firewalld';
import { FIREWALLD_RECORD, POD_INTERFACES, firewallCmdArgv, parseFirewalldRecord } from '../firewall/firewalld';
import { NFT_INCLUDE_FILE, parseNftRuleset } from '../firewall/nftables';
import { iptablesCleanup } from './iptables-cleanup';
import type { KubeadmResetParams } from './params';
import { kubeadmResetParams } from './params';

const CNI_CONF_DIR = '/etc/cni/net.d';
const SAVED_RULES = ['/etc/iptables/rules.v4', '/etc/sysconfig/iptables'];

/** What kubeadm.reset finds left of Kubernetes on the host. */
export interface KubeadmResetFacts {
  kubeadmInstalled: boolean;
  /** Whether kubeadm has anything to reset (configs, manifests, etcd data, kubelet config). */
  kubeadmState: boolean;
  cniFiles: string[];
  flannelSubnetEnv: boolean;
  links: string[];
  iptables: string[][];
  /** Saved rule files that still hold Kubernetes or kumi rules. */
  savedRules: string[];
  nftRules: string[][];
  nftInclude: string | undefined;
  /** What kumi added to firewalld (its record, plus pod entries found in the trusted zone). */
  firewalld: FirewalldRecord | undefined;
  /** Whether kumi's firewalld record file exists. */
  firewalldRecord: boolean;
  kubeconfig: boolean;
}

/** Resets a node with kubeadm and removes what kubeadm reset leaves behind. */
export const kubeadmReset: Step<KubeadmResetParams, KubeadmResetFacts> = {
  id: 'kubeadm.reset',
  title: 'Reset the node and clean up what kubeadm reset leaves',
  params: kubeadmResetParams,

  async check(host, params) {
    const state = await readKubeadmState(host);
    const kubeadmState =
      state.adminConf || state.kubeletConf || state.apiserverManifest ||
      (await host.listDir('/etc/kubernetes/manifests')).length > 0 ||
      (await host.exists('/var/lib/etcd/member')) || (await host.exists('/var/lib/kubelet/config.yaml'));
    if (kubeadmState && state.kubeadmVersion === undefined) {
      throw new StepFailure('CHECK_FAILED', 'the node holds kubeadm state but kubeadm is not installed. Fix: install kubeadm (step kubernetes.packages) and run the reset again.');
    }
    const save = await host.probe(['iptables-save']);
    const savedRules: string[] = [];
    for (const path of SAVED_RULES) {
      const text = await host.readFile(path);
      if (text !== undefined && /kumi:|-j KUBE-|-j FLANNEL-/.test(text)) savedRules.push(path);
    }
    return {
      kubeadmInstalled: state.kubeadmVersion !== undefined,
      kubeadmState,
      cniFiles: (await host.listDir(CNI_CONF_DIR)).map((name) => `${CNI_CONF_DIR}/${name}`),
      flannelSubnetEnv: await host.exists('/run/flannel/subnet.env'),
      links: await existingLinks(host),
      iptables: save.exitCode === 0 ? iptablesCleanup(save.stdout) : [],
      savedRules,
      ...(await readNft(host)),
      ...(await readFirewalld(host, params)),
      kubeconfig: await host.exists(params.kubeconfigPath),
    };
  },

  plan(facts, params) {
    const actions: Action[] = [];
    if (facts.kubeadmState) {
      actions.push({ kind: 'run', argv: ['kubeadm', 'reset', '-f', '--cri-socket', criSocketFor(params.runtime)], why: `remove ${[KUBELET_CONF, ADMIN_CONF, APISERVER_MANIFEST].join(', ')}, etcd data and the kubelet's state` });
    }
    for (const link of facts.links) actions.push({ kind: 'run', argv: ['ip', 'link', 'delete', link], why: `${link} is left by flannel` });
    for (const file of facts.cniFiles) actions.push({ kind: 'remove', path: file, why: 'kubeadm reset leaves CNI configuration behind' });
    if (facts.flannelSubnetEnv) actions.push({ kind: 'remove', path: '/run/flannel/subnet.env', why: "flannel's lease of the old cluster" });
    for (const argv of facts.iptables) actions.push({ kind: 'run', argv, why: 'kubeadm reset leaves kube-proxy, flannel and kumi iptables rules behind' });
    for (const path of facts.savedRules) actions.push({ kind: 'run', argv: ['iptables-save', '-f', path], why: `keep the cleaned rules across reboots (${path})` });
    for (const argv of facts.nftRules) actions.push({ kind: 'run', argv, why: "remove kumi's nftables rule" });
    const emptyInclude = '# Written by kumi: no rules (the node was reset).\n';
    if (facts.nftInclude !== undefined && facts.nftInclude !== emptyInclude) {
      actions.push({ kind: 'write', path: NFT_INCLUDE_FILE, content: emptyInclude, why: 'the boot-time ruleset still includes this file, so it stays, empty' });
    }
    const added = facts.firewalld;
    if (added !== undefined) {
      const closeWhy = `close what kumi opened in zone ${added.zone}`;
      const podWhy = "remove kumi's pod-network entries from firewalld's trusted zone";
      const removals = [
        { argv: firewallCmdArgv(added.zone, '--remove-port', added.ports), why: closeWhy },
        { argv: firewallCmdArgv(added.zone, '--remove-rich-rule', added.richRules), why: closeWhy },
        { argv: firewallCmdArgv('trusted', '--remove-interface', added.trustedInterfaces), why: podWhy },
        { argv: firewallCmdArgv('trusted', '--remove-source', added.trustedSources), why: podWhy },
      ];
      for (const { argv, why } of removals) if (argv !== undefined) actions.push({ kind: 'run', argv, why });
      if (removals.some(({ argv }) => argv !== undefined)) actions.push({ kind: 'run', argv: ['firewall-cmd', '--reload'], why: 'apply the permanent configuration' });
    }
    if (facts.firewalldRecord) actions.push({ kind: 'remove', path: FIREWALLD_RECORD, why: "kumi's firewalld additions are gone" });
    if (facts.kubeconfig) actions.push({ kind: 'remove', path: params.kubeconfigPath, why: "the old cluster's admin kubeconfig" });
    return planOf(actions, 'nothing of Kubernetes is left on this host');
  },
};

async function readNft(host: HostReader): Promise<Pick<KubeadmResetFacts, 'nftRules' | 'nftInclude'>> {
  const listed = await host.probe(['nft', '-j', 'list', 'ruleset']);
  const nftRules: string[][] = [];
  if (listed.exitCode === 0) {
    const json = JSON.parse(listed.stdout) as { nftables?: { rule?: { family: string; table: string; chain: string; handle: number; comment?: string } }[] };
    // iptables-nft rules show up here too; those are removed through iptables above.
    const iptablesTables = new Set(parseNftRuleset(listed.stdout).filter((chain) => chain.family === 'ip' && /^[A-Z]+$/.test(chain.name)).map((chain) => chain.table));
    for (const item of json.nftables ?? []) {
      const rule = item.rule;
      if (rule?.comment?.startsWith('kumi:') === true && !(rule.family === 'ip' && iptablesTables.has(rule.table))) {
        nftRules.push(['nft', 'delete', 'rule', rule.family, rule.table, rule.chain, 'handle', String(rule.handle)]);
      }
    }
  }
  return { nftRules, nftInclude: await host.readFile(NFT_INCLUDE_FILE) };
}

/**
 * What to take out of firewalld: kumi's record of its additions (still present ones only)
 * and any pod interfaces/CIDRs in the trusted zone. Undefined when firewalld is not running.
 */
async function readFirewalld(host: HostReader, params: KubeadmResetParams): Promise<Pick<KubeadmResetFacts, 'firewalld' | 'firewalldRecord'>> {
  const recordText = await host.readFile(FIREWALLD_RECORD);
  const state = await host.probe(['firewall-cmd', '--state']);
  if (state.exitCode !== 0) return { firewalld: undefined, firewalldRecord: recordText !== undefined };
  const record = parseFirewalldRecord(recordText);
  const list = async (zone: string, what: string): Promise<string[]> =>
    (await host.probe(['firewall-cmd', '--permanent', `--zone=${zone}`, what])).stdout.split(/\s+/).filter(Boolean);
  const zone = record?.zone ?? 'public';
  const ports = record === undefined ? [] : (await list(zone, '--list-ports')).filter((port) => record.ports.includes(port));
  const rules = record === undefined ? [] : (await host.probe(['firewall-cmd', '--permanent', `--zone=${zone}`, '--list-rich-rules'])).stdout.split('\n').map((line) => line.trim()).filter((rule) => record.richRules.includes(rule));
  const interfaces = (await list('trusted', '--list-interfaces')).filter((name) => (POD_INTERFACES as readonly string[]).includes(name) || (record?.trustedInterfaces.includes(name) ?? false));
  const sources = (await list('trusted', '--list-sources')).filter((cidr) => cidr === params.podCidr || cidr === params.serviceCidr || (record?.trustedSources.includes(cidr) ?? false));
  return { firewalld: { zone, ports, richRules: rules, trustedInterfaces: interfaces, trustedSources: sources }, firewalldRecord: recordText !== undefined };
}

async function existingLinks(host: HostReader): Promise<string[]> {
  const found: string[] = [];
  for (const name of POD_INTERFACES) if (await host.exists(`/sys/class/net/${name}`)) found.push(name);
  return found;
}
