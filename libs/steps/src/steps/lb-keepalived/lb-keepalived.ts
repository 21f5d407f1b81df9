import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { CHECK_SCRIPT_HEADER, KEEPALIVED_CONFIG_HEADER, renderApiserverCheckScript, renderKeepalivedConfig } from '../../render/keepalived-config';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import type { PackageFamily } from '../common/packages';
import { installPackages, packageFamilyOf, refreshPackageLists } from '../common/packages';
import { probeVersion } from '../common/probe-version';
import type { ServiceState } from '../common/services';
import { keepRunning, serviceState, stateAfterInstall } from '../common/services';
import { serviceRemovalPlan } from '../common/service-removal';
import { interfaceForSubnetOf } from '../common/network';
import type { LbKeepalivedParams, LbKeepalivedPresentParams } from './params';
import { lbKeepalivedParams } from './params';

/** Where the API check script keepalived runs lives. */
export const CHECK_SCRIPT_PATH = '/etc/keepalived/check_apiserver.sh';

/** What lb.keepalived reads from the host. */
export interface LbKeepalivedFacts {
  packages: PackageFamily;
  /** keepalived's version, undefined when it is not installed. */
  version: string | undefined;
  /** Whether curl (used by the check script) is installed. */
  curl: boolean;
  config: string | undefined;
  checkScript: string | undefined;
  service: ServiceState;
  /** The interface the VIP goes on, and the VIP with its subnet's prefix. */
  interfaceName: string;
  vipCidr: string;
  routerId: string;
}

/** What lb.keepalived reads from the host with `ensure: absent`. */
export interface LbKeepalivedAbsentFacts {
  ensure: 'absent';
  config: string | undefined;
  checkScript: string | undefined;
  service: ServiceState;
}

/** Outputs of lb.keepalived. */
export interface LbKeepalivedOutputs {
  /** The interface chosen for the VIP. */
  interface: string;
  vipCidr: string;
  keepalivedVersion: string;
  /** Whether this host holds the VIP right now. */
  holdsVip: boolean;
}

/**
 * Holds the VIP with keepalived (VRRP), tracking the API through the local HAProxy. With
 * `ensure: absent` it stops and disables keepalived (the VIP leaves this host) and removes
 * the configuration and check script kumi wrote.
 */
export const lbKeepalived: Step<LbKeepalivedParams, LbKeepalivedFacts | LbKeepalivedAbsentFacts, LbKeepalivedOutputs> = {
  id: 'lb.keepalived',
  title: 'Hold the virtual IP with keepalived',
  params: lbKeepalivedParams,

  async check(host, params) {
    if (params.ensure === 'absent') {
      return { ensure: 'absent', config: await host.readFile(params.configPath), checkScript: await host.readFile(CHECK_SCRIPT_PATH), service: await serviceState(host, 'keepalived') };
    }
    const packages = packageFamilyOf(host.facts);
    const placement = vipPlacement(host, params);
    return {
      packages,
      version: await keepalivedVersion(host),
      curl: (await host.probe(['curl', '--version'])).exitCode === 0,
      config: await host.readFile(params.configPath),
      checkScript: await host.readFile(CHECK_SCRIPT_PATH),
      service: await serviceState(host, 'keepalived'),
      ...placement,
      routerId: `kumi_${host.facts.hostName.replace(/[^A-Za-z0-9_]/g, '_')}`,
    };
  },

  plan(facts, params) {
    if ('ensure' in facts || params.ensure === 'absent') {
      return serviceRemovalPlan('keepalived', facts.service, [
        { path: params.configPath, content: facts.config, header: KEEPALIVED_CONFIG_HEADER },
        { path: CHECK_SCRIPT_PATH, content: facts.checkScript, header: CHECK_SCRIPT_HEADER },
      ]);
    }
    const actions: Action[] = [];
    const missing = [facts.version === undefined ? 'keepalived' : undefined, facts.curl ? undefined : 'curl'].filter(
      (name): name is string => name !== undefined,
    );
    if (missing.length > 0) {
      if (facts.packages === 'apt') actions.push(refreshPackageLists(`find ${missing.join(' and ')}`));
      actions.push(installPackages(facts.packages, missing, `${missing.join(' and ')} not installed (curl runs the API check)`));
    }
    const script = renderApiserverCheckScript(params.vip, params.apiPort);
    const scriptChanged = facts.checkScript !== script;
    if (scriptChanged) {
      actions.push({ kind: 'write', path: CHECK_SCRIPT_PATH, content: script, mode: 0o755, why: 'the API check keepalived runs' });
    }
    const config = renderKeepalivedConfig({
      routerId: facts.routerId,
      state: params.state,
      priority: params.priority,
      virtualRouterId: params.virtualRouterId,
      interfaceName: facts.interfaceName,
      vipCidr: facts.vipCidr,
      authPass: params.authPass,
      checkScriptPath: CHECK_SCRIPT_PATH,
    });
    const configChanged = facts.config !== config;
    if (configChanged) {
      actions.push(
        {
          kind: 'run',
          argv: ['keepalived', '-t', '-f', '{{file:keepalived.conf}}'],
          secretFiles: { 'keepalived.conf': config },
          why: 'validate the new configuration with keepalived itself before installing it',
        },
        {
          kind: 'write',
          path: params.configPath,
          content: config,
          mode: 0o644,
          why: facts.config === undefined ? 'keepalived has no configuration yet' : 'the keepalived configuration differs from the rendered one',
        },
      );
    }
    // apt's postinst starts keepalived (its unit skips the start while keepalived.conf is empty or missing).
    const state = stateAfterInstall(facts.packages, facts.version === undefined && facts.config !== undefined && facts.config !== '', facts.service);
    actions.push(...keepRunning('keepalived', state, configChanged || scriptChanged, 'reload'));
    return planOf(actions, `keepalived already runs the rendered configuration (VIP ${facts.vipCidr} on ${facts.interfaceName}, ${params.state})`);
  },

  async outputs(host, params, facts) {
    if ('ensure' in facts || params.ensure === 'absent') {
      return { interface: '', vipCidr: '', keepalivedVersion: (await keepalivedVersion(host)) ?? 'not installed', holdsVip: false };
    }
    const shown = await host.probe(['ip', '-o', '-4', 'addr', 'show', 'dev', facts.interfaceName]);
    return {
      interface: facts.interfaceName,
      vipCidr: facts.vipCidr,
      keepalivedVersion: (await keepalivedVersion(host)) ?? 'unknown',
      holdsVip: shown.exitCode === 0 && shown.stdout.includes(` ${params.vip}/`),
    };
  },
};

/** The interface for the VIP: the given one, or the one holding an address in the VIP's subnet. */
export function vipPlacement(host: HostReader, params: LbKeepalivedPresentParams): { interfaceName: string; vipCidr: string } {
  const found = interfaceForSubnetOf(params.vip, host.facts.interfaces);
  if (params.interface !== undefined) {
    if (!host.facts.interfaces.some((iface) => iface.name === params.interface)) {
      throw new StepFailure('CHECK_FAILED', `interface ${params.interface} does not exist on ${host.facts.hostName}. Fix: name one of ${host.facts.interfaces.map((iface) => iface.name).join(', ')} or leave "interface" out.`);
    }
    const prefix = found?.interfaceName === params.interface ? found.prefixLength : 32;
    return { interfaceName: params.interface, vipCidr: `${params.vip}/${prefix}` };
  }
  if (found === undefined) {
    throw new StepFailure(
      'CHECK_FAILED',
      `no interface on ${host.facts.hostName} holds an address in the subnet of VIP ${params.vip}. ` +
        'Fix: choose a VIP in the load balancers\' subnet, or give "interface" explicitly.',
    );
  }
  return { interfaceName: found.interfaceName, vipCidr: `${params.vip}/${found.prefixLength}` };
}

function keepalivedVersion(host: HostReader): Promise<string | undefined> {
  return probeVersion(host, ['keepalived', '--version'], /Keepalived v(\S+)/);
}
