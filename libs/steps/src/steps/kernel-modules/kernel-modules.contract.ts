import type { StepCases } from '../../contract/step-contract';
import { KUBERNETES_MODULES, kernelModules, MODULES_LOAD_CONTENT } from './kernel-modules';

/** kernel.modules: nothing loaded or persisted; both in place; br_netfilter gone since. */
export const contract: StepCases = {
  step: kernelModules,
  firstRun: { params: {}, facts: { loaded: [], persisted: undefined } },
  noop: { params: {}, facts: { loaded: [...KUBERNETES_MODULES], persisted: MODULES_LOAD_CONTENT } },
  // br_netfilter unloaded since (e.g. a reboot with the file edited away).
  drift: { params: {}, facts: { loaded: ['overlay'], persisted: MODULES_LOAD_CONTENT } },
};
