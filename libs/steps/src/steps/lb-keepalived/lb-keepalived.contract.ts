import type { StepCases } from '../../contract/step-contract';
import { renderApiserverCheckScript, renderKeepalivedConfig } from '../../render/keepalived-config';
import { CHECK_SCRIPT_PATH, lbKeepalived } from './lb-keepalived';

const params = { vip: '192.0.2.100', state: 'MASTER', priority: 101, authPass: 'kumi42' };
const where = { interfaceName: 'eth0', vipCidr: '192.0.2.100/24', routerId: 'kumi_lb1' };
const config = renderKeepalivedConfig({ ...where, state: 'MASTER', priority: 101, virtualRouterId: 51, authPass: 'kumi42', checkScriptPath: CHECK_SCRIPT_PATH });
const settled = { packages: 'apt', version: '2.2.7', curl: true, config, checkScript: renderApiserverCheckScript('192.0.2.100', 6443), service: { active: true, enabled: true }, ...where };

/** lb.keepalived (Debian): neither keepalived nor curl; running kumi's VRRP config; stopped and disabled by hand since. */
export const contract: StepCases = {
  step: lbKeepalived,
  firstRun: { params, facts: { ...settled, version: undefined, curl: false, config: undefined, checkScript: undefined, service: { active: false, enabled: false } } },
  noop: { params, facts: settled },
  drift: { params, facts: { ...settled, service: { active: false, enabled: false } } },
};
