import type { Action } from '../../plan';
import { planOf } from '../../plan';
import type { HostReader, Step } from '../../step';
import { HAPROXY_CONFIG_HEADER, renderHaproxyConfig } from '../../render/haproxy-config';
import type { PackageFamily } from '../common/packages';
import { installPackages, packageFamilyOf, refreshPackageLists } from '../common/packages';
import { probeVersion } from '../common/probe-version';
import type { ServiceState } from '../common/services';
import { keepRunning, serviceState, stateAfterInstall } from '../common/services';
import { serviceRemovalPlan } from '../common/service-removal';
import type { LbHaproxyParams } from './params';
import { lbHaproxyParams } from './params';

/** What lb.haproxy reads from the host. */
export interface LbHaproxyFacts {
  packages: PackageFamily;
  /** `haproxy -v`'s version, undefined when HAProxy is not installed. */
  version: string | undefined;
  /** The configuration file as it is, undefined when missing. */
  config: string | undefined;
  service: ServiceState;
}

/** What lb.haproxy reads from the host with `ensure: absent`. */
export interface LbHaproxyAbsentFacts {
  ensure: 'absent';
  config: string | undefined;
  service: ServiceState;
}

/** Outputs of lb.haproxy. */
export interface LbHaproxyOutputs {
  haproxyVersion: string;
  configPath: string;
}

/**
 * Load-balances the API servers with HAProxy; the configuration is validated before use.
 * With `ensure: absent` it stops and disables HAProxy and removes the configuration kumi wrote.
 */
export const lbHaproxy: Step<LbHaproxyParams, LbHaproxyFacts | LbHaproxyAbsentFacts, LbHaproxyOutputs> = {
  id: 'lb.haproxy',
  title: 'Load-balance the API servers with HAProxy',
  params: lbHaproxyParams,

  async check(host, params) {
    if (params.ensure === 'absent') {
      return { ensure: 'absent', config: await host.readFile(params.configPath), service: await serviceState(host, 'haproxy') };
    }
    const packages = packageFamilyOf(host.facts);
    return {
      packages,
      version: await haproxyVersion(host),
      config: await host.readFile(params.configPath),
      service: await serviceState(host, 'haproxy'),
    };
  },

  plan(facts, params) {
    if ('ensure' in facts || params.ensure === 'absent') {
      return serviceRemovalPlan('haproxy', facts.service, [{ path: params.configPath, content: facts.config, header: HAPROXY_CONFIG_HEADER }]);
    }
    const actions: Action[] = [];
    const wanted = renderHaproxyConfig(params);
    if (facts.version === undefined) {
      if (facts.packages === 'apt') actions.push(refreshPackageLists('find the haproxy package'));
      actions.push(installPackages(facts.packages, ['haproxy'], 'HAProxy is not installed'));
    }
    const changed = facts.config !== wanted;
    if (changed) {
      actions.push(
        {
          kind: 'run',
          argv: ['haproxy', '-c', '-f', '{{file:haproxy.cfg}}'],
          secretFiles: { 'haproxy.cfg': wanted },
          why: 'validate the new configuration with HAProxy itself before installing it',
        },
        { kind: 'write', path: params.configPath, content: wanted, mode: 0o644, why: describeChange(facts.config) },
      );
    }
    // apt's postinst has started HAProxy on the package's haproxy.cfg: reload it onto kumi's.
    actions.push(...keepRunning('haproxy', stateAfterInstall(facts.packages, facts.version === undefined, facts.service), changed, 'reload'));
    return planOf(actions, `HAProxy ${facts.version} already running with the rendered configuration`);
  },

  async outputs(host, params) {
    return { haproxyVersion: (await haproxyVersion(host)) ?? 'unknown', configPath: params.configPath };
  },
};

function haproxyVersion(host: HostReader): Promise<string | undefined> {
  return probeVersion(host, ['haproxy', '-v'], /version (\S+)/i);
}

function describeChange(current: string | undefined): string {
  return current === undefined ? 'HAProxy has no configuration yet' : 'the HAProxy configuration differs from the rendered one';
}
