import type { StepCases } from '../../contract/step-contract';
import { debianFacts } from '../../testing/host-facts';
import { preflight } from './preflight';

const params = { roles: ['control-plane'], kubernetesVersion: '1.33.2' };
const healthy = { host: debianFacts, listeners: [], nodeSetUp: false, timeSynced: true };

/**
 * preflight only reads (errors fail its check): a fresh host and a host kumi set up pass with
 * the number of checks; a host whose swap came back since is reported in the reason.
 */
export const contract: StepCases = {
  step: preflight,
  readOnly: true,
  firstRun: { params, facts: healthy },
  noop: { params, facts: { ...healthy, listeners: [{ port: 6443, process: 'kube-apiserver' }], nodeSetUp: true } },
  drift: { params, facts: { ...healthy, nodeSetUp: true, host: { ...debianFacts, swap: { totalBytes: 1024 ** 3, usedBytes: 0, devices: ['/swap.img'] } } } },
};
