import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import type { FirewalldFacts } from './firewalld';
import { planFirewalld, readFirewalld } from './firewalld';
import type { IptablesFacts } from './iptables';
import { planIptables, readIptables } from './iptables';
import type { NftablesFacts } from './nftables';
import { planNftables, readNftables } from './nftables';
import type { FirewallParams } from './params';
import { firewallParams } from './params';
import { portSpecs, rolePorts } from './role-ports';

/** What the firewall step reads: one backend's state. */
export type FirewallFacts = FirewalldFacts | IptablesFacts | NftablesFacts | { backend: 'none' };

/** Outputs of firewall. */
export interface FirewallOutputs {
  /** The backend used (after resolving "auto"). */
  backend: 'firewalld' | 'iptables' | 'nftables' | 'none';
  /** What the role needs open, e.g. "6443/tcp". */
  ports: string[];
  vrrp: boolean;
}

/**
 * The backend "auto" means: the facts' firewall, except that a running firewalld always
 * wins. Distributions start firewalld with --nopid, so facts may see only its nftables
 * table and report "nftables"; rules put there would vanish on firewalld's next reload.
 */
async function autoBackend(host: HostReader): Promise<FirewallFacts['backend']> {
  if (host.facts.firewall === 'firewalld') return 'firewalld';
  const state = await host.probe(['firewall-cmd', '--state']);
  return state.exitCode === 0 && state.stdout.trim() === 'running' ? 'firewalld' : host.facts.firewall;
}

/** Opens the role's ports and lets pod traffic through, with the host's firewall. */
export const firewall: Step<FirewallParams, FirewallFacts, FirewallOutputs> = {
  id: 'firewall',
  title: "Open the role's ports and let pod traffic through the firewall",
  params: firewallParams,

  async check(host, params) {
    const backend = params.backend === 'auto' ? await autoBackend(host) : params.backend;
    try {
      switch (backend) {
        case 'firewalld':
          return await readFirewalld(host, params);
        case 'iptables':
          return await readIptables(host, params);
        case 'nftables':
          return await readNftables(host);
        case 'none':
          return { backend: 'none' };
      }
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      throw new StepFailure('CHECK_FAILED', `could not read the ${backend} firewall: ${(error as Error).message}. Fix: check that ${backend} works on this host, or choose another backend.`);
    }
  },

  plan(facts, params) {
    switch (facts.backend) {
      case 'none':
        return planOf([], 'firewall backend is "none": kumi leaves the firewall alone');
      case 'firewalld': {
        const { actions, summary } = planFirewalld(facts, params);
        return planOf(actions, summary);
      }
      case 'iptables': {
        const { actions, summary } = planIptables(facts, params);
        return planOf(actions, summary);
      }
      case 'nftables': {
        const { actions, summary } = planNftables(facts, params);
        return planOf(actions, summary);
      }
    }
  },

  async outputs(_host, params, facts) {
    const ports = rolePorts(params);
    return { backend: facts.backend, ports: portSpecs(ports), vrrp: ports.vrrp };
  },
};
