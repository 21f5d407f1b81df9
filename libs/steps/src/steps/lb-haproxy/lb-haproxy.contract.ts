import type { StepCases } from '../../contract/step-contract';
import { renderHaproxyConfig } from '../../render/haproxy-config';
import { lbHaproxy } from './lb-haproxy';
import { lbHaproxyPresentParams } from './params';

const params = { backends: [{ name: 'master1', address: '192.0.2.21' }, { name: 'master2', address: '192.0.2.22' }] };
const rendered = renderHaproxyConfig(lbHaproxyPresentParams.parse(params));
const running = { active: true, enabled: true };

/**
 * lb.haproxy (Debian): not installed (apt's postinst starts it on the package's config, so the
 * first run reloads it onto kumi's); running kumi's config; a backend edited by hand since.
 */
export const contract: StepCases = {
  step: lbHaproxy,
  firstRun: { params, facts: { packages: 'apt', version: undefined, config: undefined, service: { active: false, enabled: false } } },
  noop: { params, facts: { packages: 'apt', version: '2.6.12', config: rendered, service: running } },
  drift: { params, facts: { packages: 'apt', version: '2.6.12', config: rendered.replace('192.0.2.22', '192.0.2.99'), service: running } },
};
