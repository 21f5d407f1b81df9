import type { StepCases } from '../../contract/step-contract';
import { KUBERNETES_SYSCTLS, SYSCTL_CONF_CONTENT, sysctlKubernetes } from './sysctl-kubernetes';

const allOnes = Object.fromEntries(KUBERNETES_SYSCTLS.map((key) => [key, '1']));

/** sysctl.kubernetes: every key 0 and no file; all 1 with the file; ip_forward reset to 0 since. */
export const contract: StepCases = {
  step: sysctlKubernetes,
  firstRun: { params: {}, facts: { runtime: Object.fromEntries(KUBERNETES_SYSCTLS.map((key) => [key, '0'])), persisted: undefined, legacy: undefined } },
  noop: { params: {}, facts: { runtime: allOnes, persisted: SYSCTL_CONF_CONTENT, legacy: undefined } },
  drift: { params: {}, facts: { runtime: { ...allOnes, 'net.ipv4.ip_forward': '0' }, persisted: SYSCTL_CONF_CONTENT, legacy: undefined } },
};
